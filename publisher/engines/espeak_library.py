"""espeak-ng's library, loaded afresh for every synthesis so that what it says never depends
on what it said before. :mod:`publisher.engines.espeak` is the synthesizer built on it.

espeak-ng is not history-free: what it says depends on what it said before in the same
process. Its wave generator keeps the phase of the pitch "flutter" (``Flutter_ix``, a static
inside ``AdvanceParameters`` in wavegen.c) and a glottal-cycle counter that paces the voice's
roughness (``cycle_count``) from one utterance to the next, and no call resets them, not even
``espeak_Terminate`` followed by ``espeak_Initialize``: the same sentence comes out a few
hundred samples longer or shorter, and different throughout. Its noise generator (breath,
Klatt voices) is seeded with the time of day by ``espeak_Initialize``, and the Klatt voices
made by its speechPlayer draw noise from the C library's ``rand()``.

So every synthesis runs on a *freshly loaded* library: we keep a private copy of it (an
anonymous in-memory file on Linux, a file in a private temporary folder elsewhere) that
nothing else in the process opens, and each synthesis loads that copy, initialises it, selects
the voice and the parameters, seeds both random generators, speaks, terminates and unloads
it. Every static starts from the image on disk, so the same text and settings give the same
samples whatever was said before and in whichever process; it costs about a millisecond a
synthesis (selecting the voice by its file identifier, ``gmw/nl``, avoids the scan of every
voice file that selecting it by name costs). A loaded copy is checked to be fresh (a
parameter that is 0 until ``espeak_Initialize``): a platform where unloading does not unload
raises :class:`EngineError` rather than drift.

Loading, synthesis and unloading run under :data:`_LOCK`: one synthesis at a time per process.
"""

from __future__ import annotations

import _ctypes
import atexit
import contextlib
import ctypes
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from publisher.engine_input import voice_name_problem
from publisher.engines.espeak_events import Callback, collector
from publisher.errors import EngineError

# Values from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of calling exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
# [[...]] in the text is espeak-ng's phoneme mnemonics (a PLS lexicon's x-espeak phonemes);
# engine_text (publisher.engine_input) lets only checked, bounded ones through.
_PHONEMES = 0x100
_PARAM_RATE = 1
_PARAM_PITCH = 3
_EE_OK = 0

SAMPLE_RATE = 22050
"""The rate espeak-ng's synthesiser runs at (``espeak_Initialize`` returns it)."""


class _VoiceHead(ctypes.Structure):
    """The leading members of speak_lib.h's ``espeak_VOICE``, up to the one read here
    (``identifier``). The library owns the struct and it is only read through the pointer
    ``espeak_GetCurrentVoice`` returns, never allocated or indexed here, so the members after
    it (gender, age, variant, score, …) need no declaration to keep in step with the header."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
    ]


@dataclass
class _Runtime:
    """This process's private copy of the library, and what one synthesis collects."""

    pid: int
    path: str  # the private copy, loaded afresh for every synthesis
    fd: int | None  # the anonymous file behind ``path``, on Linux
    folder: str | None  # the temporary folder holding ``path``, elsewhere
    data_path: bytes
    sample_rate: int = SAMPLE_RATE
    version: str = "unknown"
    identifiers: dict[str, str] = field(default_factory=dict)  # voice name -> file identifier
    chunks: list[bytes] = field(default_factory=list)
    words: list[tuple[int, int, int]] = field(default_factory=list)  # (char, length, sample)
    callback: object = None  # the ctypes callback; kept here so it is never collected


_LOCK = threading.Lock()
_runtime: _Runtime | None = None
_load_error: str | None = None
_open_handle: int | None = None  # the library loaded by the synthesis under way, if any
_stale_handle: int | None = None  # one a fork copied mid-synthesis from another thread
_LOAD_MODE: int = getattr(os, "RTLD_LOCAL", 0)


def _after_fork_in_child() -> None:
    # A fork taken while another thread held the lock would leave the child's copy locked
    # for ever; the child has only the forking thread, so a fresh lock is safe. A library
    # that thread had loaded stays mapped in the child, half-way through its synthesis:
    # it must be unloaded before the child loads a copy of its own.
    global _LOCK, _open_handle, _stale_handle
    _LOCK = threading.Lock()
    _stale_handle, _open_handle = _open_handle, None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _unload(handle: int) -> None:
    if sys.platform == "win32":
        _ctypes.FreeLibrary(handle)
    else:
        _ctypes.dlclose(handle)


def _libc_srand() -> Callable[[int], object] | None:
    """The C library's ``srand``, where ctypes can reach the one espeak-ng uses."""
    if sys.platform == "win32":
        return None
    try:
        srand = ctypes.CDLL(None).srand
    except (OSError, AttributeError, TypeError):
        return None
    srand.argtypes = [ctypes.c_uint]
    srand.restype = None
    return srand


_srand = _libc_srand()


def _private_copy(image: bytes, in_memory: bool) -> tuple[str, int | None, str | None]:
    """A copy of the library that only this process loads: (path, fd, folder).

    A copy, because unloading unloads only when nobody else holds the library (another
    package may load the original). ``in_memory`` (Linux): an anonymous file, which vanishes
    with the process; otherwise a file in a private temporary folder, removed at exit.
    """
    if in_memory:
        fd = os.memfd_create("libespeak-ng", os.MFD_CLOEXEC)
        try:
            view = memoryview(image)
            while view:
                view = view[os.write(fd, view) :]
        except OSError:
            os.close(fd)
            raise
        return f"/proc/self/fd/{fd}", fd, None
    folder = tempfile.mkdtemp(prefix="publisher-espeak-")
    path = os.path.join(folder, "libespeak-ng.dll" if sys.platform == "win32" else "libespeak-ng")
    with open(path, "wb") as f:
        f.write(image)
    atexit.register(_remove_folder, folder, os.getpid())
    return path, None, folder


def _remove_folder(folder: str, pid: int) -> None:
    if os.getpid() == pid:  # not in a forked child: the folder is its parent's
        shutil.rmtree(folder, ignore_errors=True)


def _discard(state: _Runtime) -> None:
    """Remove the private copy of a runtime that will not be used."""
    if state.fd is not None:
        os.close(state.fd)
    if state.folder is not None:
        shutil.rmtree(state.folder, ignore_errors=True)


class _CannotLoad(EngineError):
    """The private copy of the library does not load."""


def _declare(lib: ctypes.CDLL) -> None:
    """Give the functions we call their C signatures."""
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_SetSynthCallback.argtypes = [Callback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_GetCurrentVoice.argtypes = []
    lib.espeak_GetCurrentVoice.restype = ctypes.POINTER(_VoiceHead)
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_ng_SetRandSeed.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Terminate.argtypes = []
    lib.espeak_Terminate.restype = ctypes.c_int


@contextlib.contextmanager
def _session(state: _Runtime) -> Iterator[ctypes.CDLL]:
    """The library freshly loaded and initialised, unloaded afterwards; hold :data:`_LOCK`."""
    global _open_handle
    try:
        lib = ctypes.CDLL(state.path, mode=_LOAD_MODE)
    except OSError as e:
        raise _CannotLoad(f"espeak-ng: cannot load the library ({e})") from e
    _open_handle = lib._handle
    try:
        lib.espeak_GetParameter.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.espeak_GetParameter.restype = ctypes.c_int
        if lib.espeak_GetParameter(_PARAM_RATE, 1) != 0:
            raise EngineError(
                "espeak-ng: the library stayed loaded from an earlier synthesis; without a "
                "fresh one its output would depend on what was said before"
            )
        _declare(lib)
        sample_rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, state.data_path, _INITIALIZE_DONT_EXIT
        )
        if sample_rate <= 0:
            raise EngineError(f"espeak-ng: initialisation failed (error {sample_rate})")
        try:
            state.sample_rate = sample_rate
            lib.espeak_SetSynthCallback(state.callback)
            yield lib
        finally:
            lib.espeak_Terminate()
    finally:
        _open_handle = None
        _unload(lib._handle)


def _load() -> _Runtime:
    """This process's private copy of the library, made once; call with :data:`_LOCK` held."""
    global _runtime, _load_error, _stale_handle
    if _runtime is not None and _runtime.pid == os.getpid():
        return _runtime
    if _runtime is not None:  # made by the process we were forked from
        if _runtime.fd is not None:
            os.close(_runtime.fd)
        _runtime = None
    if _stale_handle is not None:
        _unload(_stale_handle)
        _stale_handle = None
    if _load_error is not None:
        raise EngineError(_load_error)
    try:
        import espeakng_loader

        with open(espeakng_loader.get_library_path(), "rb") as f:
            image = f.read()
        # The library carries the data path of the machine it was built on: pass ours.
        data_path = espeakng_loader.get_data_path().encode()
    except (ImportError, OSError, RuntimeError) as e:
        _load_error = f"espeak-ng: cannot load the library from espeakng-loader ({e})"
        raise EngineError(_load_error) from e
    # In memory where the system allows it (some forbid running code from such a file).
    in_memory = hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd")
    for memory in [True, False] if in_memory else [False]:
        try:
            state = _Runtime(os.getpid(), *_private_copy(image, memory), data_path=data_path)
        except OSError as e:
            if memory:
                continue
            _load_error = f"espeak-ng: cannot copy the library ({e})"
            raise EngineError(_load_error) from e
        state.callback = Callback(collector(state.chunks, state.words))
        try:
            with _session(state) as lib:
                state.version = (lib.espeak_Info(None) or b"unknown").decode()
        except _CannotLoad as e:
            _discard(state)
            if memory:
                continue
            _load_error = str(e)
            raise
        except AttributeError as e:  # a library without a function we call
            _discard(state)
            _load_error = f"espeak-ng: unsupported library from espeakng-loader ({e})"
            raise EngineError(_load_error) from e
        except EngineError as e:
            _discard(state)
            _load_error = str(e)
            raise
        _runtime = state
        return state
    raise AssertionError("unreachable: the last attempt returns or raises")


def _identifier(state: _Runtime, voice: str) -> str:
    """The file identifier of ``voice`` ("nl" -> "gmw/nl"); call with :data:`_LOCK` held.

    Selecting a voice by name reads every voice file to find it (about 5 ms); by its
    identifier, only its own. Found once per voice and process.
    """
    found = state.identifiers.get(voice)
    if found is None:
        problem = voice_name_problem(voice)
        if problem is not None:  # espeak-ng copies the name into fixed buffers
            raise EngineError(f"espeak-ng voice {voice!r} {problem}")
        with _session(state) as lib:
            if lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise EngineError(f"espeak-ng has no voice {voice!r}")
            current = lib.espeak_GetCurrentVoice()
            identifier = current.contents.identifier if current else None
        found = state.identifiers[voice] = identifier.decode() if identifier else voice
    return found


# --- what the synthesizer asks ----------------------------------------------------------------


def identifier(voice: str) -> str:
    """The file identifier of ``voice`` ("nl" -> "gmw/nl"), loading the library if needed;
    :class:`EngineError` when the library does not load or has no such voice."""
    with _LOCK:
        return _identifier(_load(), voice)


def version() -> str:
    """The espeak-ng version of the embedded library, e.g. ``"1.52.0"``."""
    with _LOCK:
        return _load().version


def sample_rate() -> int:
    """The rate of the samples the library makes (22050 Hz), loading it if needed."""
    with _LOCK:
        return _load().sample_rate


def known_sample_rate() -> int:
    """:func:`sample_rate` without loading the library: the loaded one's, else
    :data:`SAMPLE_RATE`."""
    return _runtime.sample_rate if _runtime is not None else SAMPLE_RATE


def speak(
    voice: str, text: bytes, *, rate: int, pitch: int, seed: int
) -> tuple[bytes, list[tuple[int, int, int]], int]:
    """Say ``text`` (UTF-8, phoneme mnemonics allowed) in ``voice`` at ``rate`` words per
    minute and ``pitch``, with both random generators seeded with ``seed``, on a freshly
    loaded library: the samples, each word event's ``(text position from 1, length,
    sample)``, and the sample rate."""
    with _LOCK:
        state = _load()
        found = _identifier(state, voice)
        with _session(state) as lib:
            if lib.espeak_SetVoiceByName(found.encode()) != _EE_OK:
                raise EngineError(f"espeak-ng has no voice {voice!r}")
            lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            lib.espeak_ng_SetRandSeed(seed)
            if _srand is not None:
                _srand(seed)
            state.chunks.clear()
            state.words.clear()
            try:
                error = lib.espeak_Synth(
                    text,
                    len(text) + 1,
                    0,
                    _POS_CHARACTER,
                    0,
                    _CHARS_UTF8 | _PHONEMES,
                    None,
                    None,
                )
                data = b"".join(state.chunks)
                events = list(state.words)
            finally:
                state.chunks.clear()
                state.words.clear()
        rate_made = state.sample_rate
    if error != _EE_OK:
        raise EngineError(f"espeak-ng: synthesis failed (error {error})")
    return data, events, rate_made
