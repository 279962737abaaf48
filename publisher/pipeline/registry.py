"""The targets publisher knows, by name, and the order they are built in.

Each entry makes one renderer (see :class:`publisher.renderers.base.Renderer`); the renderer
itself declares what it ``requires`` and which paths it ``owns``. Adding an output is one
new file under ``renderers/`` and one line here; the build's logic does not change.
Renderers are imported only when a build needs them, so a no-op rebuild stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from publisher.errors import BuildError, SourceError
from publisher.renderers.base import Renderer


@dataclass(frozen=True)
class Entry:
    """How to make one renderer, and whether it is built whenever another target needs it.

    ``always``: made in every build that needs it, even when ``--only`` leaves it out,
    instead of reading its published copy: for a step that is cheap (cached) and whose
    published copy could be stale (the cover, after the author changed the image).
    """

    make: Callable[[], Renderer]
    always: bool = False


def _lazy(path: str) -> Callable[[], Renderer]:
    """A factory that imports ``module:Class`` when first called."""
    module, _, cls = path.partition(":")

    def make() -> Renderer:
        renderer: Renderer = getattr(importlib.import_module(module), cls)()
        return renderer

    make.__qualname__ = f"lazy({path})"
    return make


Registry = Mapping[str, Entry]

REGISTRY: Registry = {
    "cover": Entry(_lazy("publisher.renderers.cover.renderer:CoverRenderer"), always=True),
    "epub": Entry(_lazy("publisher.renderers.epub.renderer:EpubRenderer")),
    "audio": Entry(_lazy("publisher.renderers.audio.renderer:AudioRenderer")),
    "feed": Entry(_lazy("publisher.renderers.feed.renderer:FeedRenderer")),
    "narrated-epub": Entry(_lazy("publisher.renderers.epub.narrated:NarratedEpubRenderer")),
    "audiobook": Entry(_lazy("publisher.renderers.audiobook.renderer:AudiobookRenderer")),
    # Last: its book page lists the downloads the targets before it made.
    "site": Entry(_lazy("publisher.renderers.site.renderer:SiteRenderer")),
}


def every(registry: Registry = REGISTRY) -> tuple[Renderer, ...]:
    """One renderer of each registered target, in the registry's order: what ``check`` and
    ``build`` ask for the problems each target's own rules find in a book."""
    return tuple(entry.make() for entry in registry.values())


def check_only(names: Sequence[str], registry: Registry = REGISTRY) -> None:
    """``--only`` must name at least one target, each of them known: else a usage error."""
    known = ", ".join(registry)
    if not names:
        raise SourceError.at("--only", None, f"names no target; choose from {known}")
    for name in names:
        if name not in registry:
            raise SourceError.at("--only", None, f"unknown target {name!r}; choose from {known}")


@dataclass(frozen=True)
class Plan:
    """The renderers one build runs, in order, and the required targets it reads instead."""

    run: tuple[Renderer, ...]
    published: tuple[Renderer, ...]  # required, not built: their published outputs are read


def plan(only: Sequence[str], registry: Registry = REGISTRY) -> Plan:
    """The renderers for ``only`` (plus the ``always`` steps they need) in an order where each
    comes after what it requires (a topological order, ties in the registry's order)."""
    check_only(only, registry)
    made: dict[str, Renderer] = {}

    def renderer(name: str) -> Renderer:
        if name not in made:
            made[name] = registry[name].make()
            if made[name].name != name:
                raise BuildError(f"{name}: the registry entry makes {made[name].name!r}")
        return made[name]

    chosen = set(only)
    todo = list(only)
    while todo:  # add the "always" steps that chosen targets need, transitively
        for required in renderer(todo.pop()).requires:
            if required not in registry:
                raise BuildError(f"requires unknown target {required!r}")
            if registry[required].always and required not in chosen:
                chosen.add(required)
                todo.append(required)
    order = _topological([n for n in registry if n in chosen], renderer)
    needed = {r for n in chosen for r in renderer(n).requires} - chosen
    return Plan(
        run=tuple(renderer(n) for n in order),
        published=tuple(renderer(n) for n in registry if n in needed),
    )


def _topological(names: Iterable[str], renderer: Callable[[str], Renderer]) -> list[str]:
    """``names`` ordered so that each follows the ones it requires among them.

    Hand-written rather than :mod:`graphlib`: its order among independent targets is not
    the registry's, and the build order (so the order of the lines printed) should not move.
    """
    names = list(names)
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise BuildError(f"{name}: its requirements form a cycle")
        visiting.add(name)
        for required in renderer(name).requires:
            if required in names:
                visit(required)
        visiting.discard(name)
        order.append(name)

    for name in names:
        visit(name)
    return order
