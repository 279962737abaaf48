"""A chapter's AAC parts joined into the chapter's packets (:mod:`.parts`).

**Joins.** Each part brings a priming packet and runs up to two packets past its end; a part
keeps as many packets as bring the position nearest to the sum of the parts' lengths so far,
so nothing accumulates (exactly like the chapters' joins in :mod:`.m4b`). The packets left
out, and the next part's priming, lie in the silence the parts were cut in.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from publisher.errors import BuildError
from publisher.renderers.audiobook.pieces import Piece, PieceCache, sizes_array

if TYPE_CHECKING:
    from publisher.infra.cache import Uses


def _keeps(parts: Sequence[Piece], frame: int) -> list[int]:
    """How many packets each part keeps when they are joined (module docstring); the last
    keeps all of its packets, for :class:`publisher.renderers.audiobook.m4b.Layout` to cut."""
    keeps = []
    position = target = 0
    for k, part in enumerate(parts):
        target += part.samples
        keep = len(part.sizes)
        if k < len(parts) - 1:
            keep = max(1, min(keep, round((target - position) / frame)))
        position += keep * frame
        keeps.append(keep)
    return keeps


def join(parts: Sequence[Piece], frame: int) -> Piece:
    """The parts' packets (held) as one chapter's (see :func:`_keeps`)."""
    if len(parts) == 1:
        return parts[0]
    sizes = sizes_array()
    data = io.BytesIO()
    for part, keep in zip(parts, _keeps(parts, frame), strict=True):
        sizes.extend(part.sizes[:keep])
        data.write(memoryview(part.data)[: sum(part.sizes[:keep])])
    rate, samples = parts[0].sample_rate, sum(p.samples for p in parts)
    return Piece(sample_rate=rate, samples=samples, sizes=sizes, data=data.getvalue())


def join_stored(
    into: PieceCache,
    key: str,
    cache: PieceCache,
    parts: Sequence[tuple[str, Piece]],
    frame: int,
    uses: Uses | None = None,
) -> Piece:
    """The parts (keys in ``cache`` and pieces without packets) joined as :func:`join` does,
    stored in ``into`` under ``key`` with their packets copied a block at a time from
    ``cache``: a long chapter's packets (29 MB an hour) are never all in memory; ``uses``: the
    entries the chapter is made of. The chapter's piece, without packets."""
    keeps = _keeps([light for _, light in parts], frame)
    sizes = sizes_array()
    for (_, light), keep in zip(parts, keeps, strict=True):
        sizes.extend(light.sizes[:keep])
    rate, samples = parts[0][1].sample_rate, sum(light.samples for _, light in parts)
    piece = Piece(sample_rate=rate, samples=samples, sizes=sizes, data=b"")

    def packets() -> Iterator[bytes]:
        for (part, light), keep in zip(parts, keeps, strict=True):
            with cache.reading(part, light) as read:
                left = sum(light.sizes[:keep])
                while left:
                    block = read(min(left, 1 << 20))
                    if not block:
                        raise BuildError(f"audiobook: part {part[:12]} was cut short while in use")
                    left -= len(block)
                    yield block

    into.put(key, piece, packets(), uses)
    return piece
