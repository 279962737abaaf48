"""Making chapters: in this process, or on worker processes that each make chapter after
chapter, one synthesis at a time per process.

espeak-ng keeps global state (one voice, one callback per process) and CPU-bound Python
gains nothing from threads, so chapters go to worker processes: plain child interpreters
(:mod:`publisher.renderers.audio.workers`), and with two or more jobs one share in the build
process itself. Workers send back a chapter's timing, not its MP3: the MP3 is in the cache
(see :class:`~publisher.renderers.audio.chapter.ChapterTiming`).

**One path for every engine.** A worker makes chapter after chapter, so a chapter's audio
depends on that chapter alone only if the engine does not carry what it said before into
what it says next. espeak-ng does not (our engine reloads the library for every synthesis:
its pitch flutter ran on from one utterance to the next), nor does gTTS (every synthesis is
requests of their own to the service): their chapters are the same bytes whatever
``--jobs`` is. Piper's noise runs on from one utterance to the next; its model takes a
second to load, so its worker keeps it, and its chapters are the same bytes with ``--jobs
1`` only. A second path, a forkserver pool with a fresh process per chapter for engines with
state, was reachable only through gTTS, which needs no fresh process, and no test built
through it: it is gone (issue #21). An engine with state undoes it itself, as espeak-ng does.

A synthesizer that declares ``stateless = True`` (the same text always gives the same
samples, as our espeak and gTTS engines and the test fake do) can also run in this process:
with ``jobs=1`` it does, which is what tests that count engine calls use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.renderers.audio.chapter import ChapterJob, ChapterTiming, Engines, make_chapter
from publisher.renderers.audio.processes import one_blas_thread, worker_environment
from publisher.renderers.audio.workers import Worker, run_workers, start_workers, uses_local

SynthesizerFactory = Callable[[VoiceProfile], Synthesizer]
"""Makes the engine for a voice. Must be picklable (a top-level class or function) to be
sent to worker processes."""

Done = Callable[[int, bool], None]
"""Told ``(job index, False)`` each time an utterance of that chapter is done, and
``(job index, True)`` when the chapter is finished. Utterance events from workers travel
separately from results and may arrive late or not at all; the chapter event is certain."""


def is_stateless(synthesizer: Synthesizer | Engines) -> bool:
    """Whether ``synthesizer`` (or every engine already made in ``Engines``) says its output
    does not depend on what it said before."""
    if isinstance(synthesizer, Engines):
        return all(is_stateless(s) for s in synthesizer.made.values())
    return synthesizer.stateless


def start_ahead(jobs: int, workers: int, synthesizer: Synthesizer | Engines) -> list[Worker]:
    """The workers :func:`run_jobs` would start for ``jobs`` chapters, started now (it takes
    them when it runs); none if it would make them here."""
    if not jobs or in_process(jobs, workers, synthesizer):
        return []
    count = min(workers, jobs) - (1 if uses_local(jobs, workers) else 0)
    return start_workers(count, worker_environment())


def in_process(jobs: int, workers: int, synthesizer: Synthesizer | Engines) -> bool:
    """Whether :func:`run_jobs` makes ``jobs`` chapters here rather than in workers: one
    worker, with a stateless engine (Piper's noise would run on from whatever this process
    said before: it goes to a worker of its own). A single chapter with two or more
    jobs goes to a worker (started ahead, see :func:`start_ahead`): there it has a core of
    its own, while this process writes the cached chapters and the other targets' threads
    run beside it."""
    return workers <= 1 and is_stateless(synthesizer)


def run_jobs(
    jobs: Sequence[ChapterJob],
    *,
    factory: SynthesizerFactory,
    profiles: Mapping[str, VoiceProfile],
    workers: int,
    done: Done,
    engines: Engines | None = None,
    started: list[Worker] | None = None,
) -> dict[int, ChapterTiming]:
    """Make every chapter of ``jobs`` (into the cache); their timings by job index.

    ``profiles`` are the voices by name; ``engines`` (made by ``factory`` already) are used
    when the work stays in this process; ``started`` are workers started ahead
    (:func:`start_ahead`), taken before new ones start. The first error stops the rest and is raised as it
    was (an :class:`~publisher.errors.EngineError` names the chapter and the line).
    """
    results: dict[int, ChapterTiming] = {}
    if not jobs:
        return results
    engine = engines if engines is not None else Engines(factory, profiles)
    for name in profiles:
        engine(name)  # made here once, so whether they are stateless is known
    if in_process(len(jobs), workers, engine):
        with one_blas_thread():
            for job in jobs:

                def tick(_label: str, index: int = job.index) -> None:
                    done(index, False)

                results[job.index] = make_chapter(job, engine, tick)
                done(job.index, True)
        return results
    # Longest chapters first, so no worker is left with a long one at the end.
    ordered = sorted(jobs, key=lambda j: -sum(len(u.text) for u in j.script.utterances))
    fresh = Engines(factory, profiles)
    return run_workers(ordered, fresh, workers, done, worker_environment(), started, local=engine)
