"""espeak-ng, embedded through ctypes: the offline voice that works everywhere it installs.

The library comes from the ``espeakng-loader`` wheel, so no system package is needed. It keeps
global state (one voice, one set of parameters, one callback per process): it is initialised
once per process and every synthesis runs under :data:`_LOCK`, setting the voice and the
parameters each time because another profile may have changed them in between.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass, field

from publisher.engines.base import Pcm, VoiceProfile
from publisher.errors import EngineError

# Values from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of calling exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_EE_OK = 0

DEFAULT_RATE = 175
"""espeak-ng's normal speed, in words per minute; used when a profile sets no rate."""
DEFAULT_PITCH = 50
"""espeak-ng's normal pitch (0-100); used when a profile sets no pitch."""
SAMPLE_RATE = 22050
"""The rate espeak-ng's synthesiser runs at (``espeak_Initialize`` returns it)."""
MIN_RATE, MAX_RATE = 80, 450  # espeak-ng clamps anything outside this range

_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


@dataclass
class _Library:
    """The loaded library, with what its callback collects while one synthesis runs."""

    lib: ctypes.CDLL
    sample_rate: int
    version: str
    chunks: list[bytes] = field(default_factory=list)
    callback: object = None  # the ctypes callback; kept here so it is never collected


_LOCK = threading.Lock()
_library: _Library | None = None
_load_error: str | None = None


def _reset_lock_in_child() -> None:
    # A fork taken while another thread held the lock would leave the child's copy locked
    # for ever; the child has only the forking thread, so a fresh lock is safe.
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_in_child)


def _load() -> _Library:
    """Load and initialise the library once; call with :data:`_LOCK` held."""
    global _library, _load_error
    if _library is not None:
        return _library
    if _load_error is not None:
        raise EngineError(_load_error)
    try:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        # The library carries the data path of the machine it was built on: pass ours.
        data_path = espeakng_loader.get_data_path().encode()
    except (ImportError, OSError, RuntimeError) as e:
        _load_error = f"espeak-ng: cannot load the library from espeakng-loader ({e})"
        raise EngineError(_load_error) from e

    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_SetSynthCallback.argtypes = [_Callback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
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

    sample_rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT
    )
    if sample_rate <= 0:
        _load_error = f"espeak-ng: initialisation failed (error {sample_rate})"
        raise EngineError(_load_error)
    version = (lib.espeak_Info(None) or b"unknown").decode()
    state = _Library(lib=lib, sample_rate=sample_rate, version=version)

    def collect(wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int | None) -> int:
        if wav and count > 0:
            state.chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = go on

    state.callback = _Callback(collect)
    lib.espeak_SetSynthCallback(state.callback)
    _library = state
    return state


def _set_voice(state: _Library, voice: str) -> None:
    """Select ``voice``; call with :data:`_LOCK` held."""
    if state.lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
        raise EngineError(f"espeak-ng has no voice {voice!r}")


def check_voice(voice: str) -> str | None:
    """Why ``voice`` cannot speak on this machine, or ``None`` if it can."""
    try:
        with _LOCK:
            _set_voice(_load(), voice)
    except EngineError as e:
        return str(e)
    return None


def espeak_version() -> str:
    """The espeak-ng version of the embedded library, e.g. ``"1.52.0"``."""
    with _LOCK:
        return _load().version


class EspeakSynthesizer:
    """A :class:`~publisher.engines.base.Synthesizer` for espeak-ng: offline and fast.

    ``profile.voice`` is an espeak-ng voice name ("nl", "en", "en-us"); ``profile.rate`` is
    words per minute (80-450, default 175) and ``profile.pitch`` 0-100 (default 50).
    Instances hold no library state, so they can be pickled to worker processes.
    """

    name = "espeak"

    def __init__(self, profile: VoiceProfile) -> None:
        self.profile = profile
        self.rate = DEFAULT_RATE if profile.rate is None else round(profile.rate)
        self.pitch = DEFAULT_PITCH if profile.pitch is None else round(profile.pitch)

    def check(self) -> str | None:
        """Why this profile cannot speak here (library or voice missing), or ``None``."""
        return check_voice(self.profile.voice)

    @property
    def sample_rate(self) -> int:
        """The rate of the samples espeak-ng makes (22050 Hz)."""
        with _LOCK:
            return _load().sample_rate

    def identity(self) -> str:
        """Engine, espeak-ng version, voice, rate and pitch: what changes the sound."""
        return (
            f"espeak-ng {espeak_version()} voice={self.profile.voice} "
            f"rate={self.rate} pitch={self.pitch}"
        )

    def synthesize(self, text: str) -> Pcm:
        """Speak ``text``; the samples are returned as espeak-ng made them, silence included."""
        if not text.strip():
            # Nothing to say: no need to load, or wait for, the library.
            rate = _library.sample_rate if _library is not None else SAMPLE_RATE
            return Pcm(data=b"", sample_rate=rate)
        with _LOCK:
            state = _load()
            _set_voice(state, self.profile.voice)
            state.lib.espeak_SetParameter(_PARAM_RATE, self.rate, 0)
            state.lib.espeak_SetParameter(_PARAM_PITCH, self.pitch, 0)
            encoded = text.encode("utf-8")
            state.chunks.clear()
            try:
                error = state.lib.espeak_Synth(
                    encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
                )
                data = b"".join(state.chunks)
            finally:
                state.chunks.clear()
        if error != _EE_OK:
            raise EngineError(f"espeak-ng: synthesis failed (error {error})")
        return Pcm(data=data, sample_rate=state.sample_rate)
