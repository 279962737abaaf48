"""The gTTS service's address (``PUBLISHER_GTTS_URL``) goes through the one URL rule: a
mistyped one was requests' words from inside the audio target ("Failed to parse: Host 'not
a url' contains invalid character ' '", "Not supported URL scheme Not supported URL scheme
ftp"), and one with a password was printed in every error. Now the voice cannot speak here,
said once, before a chapter is made, and `publisher voices` says so too."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.cli import cli
from publisher.engines.base import VoiceProfile
from publisher.engines.gtts import URL_VARIABLE, GttsSynthesizer
from publisher.urls import url_problem
from tests.helpers import cli_runner

PROFILE = VoiceProfile(name="nl-gtts", engine="gtts", voice="nl", language="nl")


@given(st.text(max_size=40))
def test_any_address_the_rule_refuses_is_why_the_voice_cannot_speak(text: str) -> None:
    for url in (text, "http://" + text):
        if not url:
            continue  # no address given: Google's
        problem = url_problem(url)
        said = GttsSynthesizer(PROFILE, base_url=url).check()
        if problem is None:
            assert said is None or URL_VARIABLE not in said
        else:
            assert said == f"the gTTS service address ({URL_VARIABLE}) {url!r} {problem}"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("not a url", "contains a space or a control character"),
        ("ftp://127.0.0.1:1/x", "must start with http: or https:"),
        ("http://[::1", "has an invalid port or host"),
        ("http://u:secret@127.0.0.1:1/", "must not hold a user name or password"),
    ],
)
def test_voices_lists_the_voice_as_unavailable_and_why(url: str, why: str) -> None:
    result = cli_runner().invoke(cli, ["voices"], env={URL_VARIABLE: url})
    assert result.exit_code == 0, result.output
    [line] = [row for row in result.stdout.splitlines() if row.startswith("nl-gtts")]
    assert "unavailable: the gTTS service address (PUBLISHER_GTTS_URL)" in line and why in line
