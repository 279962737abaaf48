"""A build killed mid-synthesis takes its processes with it: its chapter workers. SIGTERM is handled as Ctrl-C is: one line, the previous build kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.books import SEED, copy_book
from tests.helpers import require


def session_processes(session: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of ``session``, with their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        state, sid = fields[0], int(fields[3])
        if sid == session and state not in ("Z", "X"):
            found.append((int(entry.name), cmdline))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_no_process_behind(tmp_path: Path, how: signal.Signals) -> None:
    require(sys.platform.startswith("linux"), "reads /proc")
    source = copy_book(SEED, tmp_path)
    out, log = tmp_path / "build", tmp_path / "stderr.txt"
    command = [sys.executable, "-m", "publisher", "build", str(source), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--only", "cover,audio", "--jobs", "2"],
        cwd=tmp_path,
        start_new_session=True,  # its session id is its pid: every process it starts shares it
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # not a pipe: a process left behind would hold it open
    )
    try:
        deadline = time.monotonic() + 120
        # The build and its worker (with two jobs the build makes one share of the chapters
        # itself; espeak-ng's workers are plain children: no forkserver, no resource tracker).
        while len(session_processes(proc.pid)) < 2:
            assert proc.poll() is None, f"the build ended before it was killed: {log.read_text()}"
            assert time.monotonic() < deadline, session_processes(proc.pid)
            time.sleep(0.1)
        os.kill(proc.pid, how)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 5  # a second or so to die, as the kernel delivers
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(proc.pid) == []
    stderr = log.read_text()
    assert not out.exists()  # there was no previous build, and none appeared
    if how == signal.SIGTERM:
        assert proc.returncode == 143
        assert stderr.splitlines()[-1] == "terminated; the previous build is unchanged"
    else:
        assert proc.returncode == -signal.SIGKILL
