"""A process that speaks what it is sent, for the tests that feed the engine boundary
generated input: a crash in a C library kills this process, not pytest, and the test that
sent the input fails with it.

Reads JSON lines ``[engine, voice, text]`` on stdin; answers one line each: ``ok N`` (N
samples), or ``error: …`` for an :class:`~publisher.errors.PublisherError` (a refusal is an
answer; a crash is not).
"""

from __future__ import annotations

import json
import sys

from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.engines.profiles import SHIPPED_VOICES, load_profile, make_synthesizer
from publisher.errors import PublisherError


def synthesizer(engine: str, voice: str) -> Synthesizer:
    """espeak-ng with the voice ``voice``, or the shipped Piper voice."""
    if engine == "piper":
        return make_synthesizer(load_profile(SHIPPED_VOICES / "en-joe-piper.toml"), SHIPPED_VOICES)
    profile = VoiceProfile(name="generated", engine="espeak", voice=voice, language="nl")
    return make_synthesizer(profile, SHIPPED_VOICES)


def main() -> None:
    """Answer each request on stdin until it closes."""
    engines: dict[tuple[str, str], Synthesizer] = {}
    for line in sys.stdin:
        engine, voice, text = json.loads(line)
        try:
            key = (engine, voice)
            if key not in engines:
                engines[key] = synthesizer(engine, voice)
            pcm = engines[key].synthesize(text)
            answer = f"ok {len(pcm.data) // 2}"
        except PublisherError as e:
            answer = f"error: {e}".replace("\n", " ")
        print(answer, flush=True)


if __name__ == "__main__":
    main()
