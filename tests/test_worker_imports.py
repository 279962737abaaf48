"""A chapter worker unpickles its engines and each chapter's job without importing the book
model, its configuration, YAML or fontTools: every process of a build counts in its memory,
and a worker only makes audio."""

from __future__ import annotations

import pickle
import subprocess
import sys

from publisher.engines.base import VoiceProfile
from publisher.renderers.audio.chapter import ChapterJob, Engines, ProfileSynthesizerFactory
from publisher.speech.script import ChapterScript, Pause, Run, Utterance

_CHILD = """
import pickle, sys
import publisher.renderers.audio.workers
engines, job = pickle.loads(sys.stdin.buffer.read())
assert job.script.utterances[0].parts[1].voice == "en", job
heavy = ["publisher.model", "publisher.reader.config", "publisher.i18n", "yaml", "fontTools"]
print(" ".join(name for name in heavy if name in sys.modules))
"""


def test_a_worker_reads_its_job_without_the_book_model() -> None:
    profile = VoiceProfile(name="nl", engine="espeak", voice="nl", language="nl")
    said = Utterance(
        text="Een knuffel, a hug.",
        display="Een knuffel, a hug.",
        block="p-1",
        kind="paragraph",
        line=3,
        voice="nl",
        runs=(Run(voice="nl", text="Een knuffel,"), Run(voice="en", text="a hug.")),
    )
    script = ChapterScript(
        slug="een",
        number=1,
        title="Een",
        path="book.md",
        line=1,
        items=(said, Pause(seconds=0.5, after="p-1", kind="paragraph")),
    )
    job = ChapterJob(
        index=0,
        script=script,
        identities={"nl": "espeak nl", "en": "espeak en"},
        bitrate=64,
        loudness=-19.0,
        cache_dir="unused",
    )
    engines = Engines(ProfileSynthesizerFactory("voices"), {"nl": profile})
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=pickle.dumps((engines, job)),
        capture_output=True,
        check=True,
    )
    assert child.stdout.decode().split() == []
