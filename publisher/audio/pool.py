"""Making chapters in worker processes, one synthesis at a time per process.

espeak-ng keeps global state (one voice, one callback per process) and CPU-bound Python
gains nothing from threads, so chapters go to a :class:`ProcessPoolExecutor`.

Byte-identical output whatever ``jobs`` is: each chapter is made by one process from its own
inputs, and that process is *fresh* (``max_tasks_per_child=1``). An engine need not be
history-free: espeak-ng by itself is not (its pitch flutter runs on from one utterance to the
next; our espeak engine now reloads the library for every synthesis to undo that), and a
Piper or future engine may keep state too. A fresh process per chapter makes each chapter's
audio depend on that chapter alone, not on which worker got it or in which order.

Fresh processes are cheap with ``forkserver`` (Linux, macOS): one server imports the heavy
modules once and forks a clean child per chapter; it never synthesises, so every child
starts with the engine untouched. Where there is no forkserver (Windows), ``spawn``.

A synthesizer that declares ``stateless = True`` (the same text always gives the same
samples, as our espeak engine and the test fake do) needs no isolation: workers are reused,
and with ``jobs=1`` it runs in this process, which is what tests that count engine calls use.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

from publisher.audio.chapter import ChapterAudio, ChapterJob, make_chapter
from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.errors import BuildError

SynthesizerFactory = Callable[[VoiceProfile], Synthesizer]
"""Makes the engine for a voice. Must be picklable (a top-level class or function) to be
sent to worker processes."""

Done = Callable[[int, bool], None]
"""Told ``(job index, False)`` each time an utterance of that chapter is done, and
``(job index, True)`` when the chapter is finished. Utterance events from workers travel
separately from results and may arrive late or not at all; the chapter event is certain."""

_PRELOAD = ["publisher.audio.chapter", "publisher.audio.loudness", "pyloudnorm", "scipy.ndimage"]
_worker: dict[str, Any] = {}


def is_stateless(synthesizer: Synthesizer) -> bool:
    """Whether ``synthesizer`` says its output does not depend on what it said before."""
    return bool(getattr(synthesizer, "stateless", False))


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _init_worker(factory: SynthesizerFactory, profile: VoiceProfile, events: Any) -> None:
    _worker.update(factory=factory, profile=profile, events=events, synthesizer=None)


def _run(job: ChapterJob) -> ChapterAudio:
    synthesizer = _worker["synthesizer"]
    if synthesizer is None:
        synthesizer = _worker["synthesizer"] = _worker["factory"](_worker["profile"])
    events = _worker["events"]
    return make_chapter(job, synthesizer, lambda _label: events.put(job.index))


def run_jobs(
    jobs: Sequence[ChapterJob],
    *,
    factory: SynthesizerFactory,
    profile: VoiceProfile,
    workers: int,
    done: Done,
    synthesizer: Synthesizer | None = None,
) -> dict[int, ChapterAudio]:
    """Make every chapter of ``jobs``; the results by job index.

    ``synthesizer`` (made by ``factory`` already) is used when the work stays in this
    process. The first error stops the rest and is raised as it was (an
    :class:`~publisher.errors.EngineError` names the chapter and the line).
    """
    results: dict[int, ChapterAudio] = {}
    if not jobs:
        return results
    engine = synthesizer if synthesizer is not None else factory(profile)
    if workers <= 1 and is_stateless(engine):
        for job in jobs:

            def tick(_label: str, index: int = job.index) -> None:
                done(index, False)

            results[job.index] = make_chapter(job, engine, tick)
            done(job.index, True)
        return results
    context = _context()
    events = context.Queue()
    # Longest chapters first, so no worker is left with a long one at the end.
    ordered = sorted(jobs, key=lambda j: -sum(len(u.text) for u in j.script.utterances))
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))),
        mp_context=context,
        initializer=_init_worker,
        initargs=(factory, profile, events),
        # A fresh process per chapter only for engines that remember what they said.
        max_tasks_per_child=None if is_stateless(engine) else 1,
    )
    try:
        futures: dict[Future[ChapterAudio], int] = {pool.submit(_run, j): j.index for j in ordered}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(events, done)
            for future in finished:
                results[futures[future]] = future.result()
                done(futures[future], True)
        _drain(events, done)
    except BrokenProcessPool as e:
        raise BuildError(f"audio: a worker process died while making a chapter ({e})") from e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def _drain(events: Any, done: Done) -> None:
    while True:
        try:
            index = events.get_nowait()
        except queue_module.Empty:
            return
        done(int(index), False)
