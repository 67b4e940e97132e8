"""Killing a build or a sheet batch at any instant leaves nothing behind.

``build`` and ``sheets`` of the example run in their own session with a cold chart cache
(so the build forks its chart drawer and the batch starts its fork server and workers) and
a private ``TMPDIR``; each is stopped with SIGKILL or SIGINT at a few instants. Afterwards
no process of that session survives, the output folder is not locked, and the next run
(``--resume`` for sheets) leaves no temporary file or folder and writes the same bytes as
an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from khzreport.output import output_lock

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="process groups and /proc"),
]


def command(kind: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "khzreport", kind, str(EXAMPLE), "-o", str(out), *extra]


def env(tmp: Path, cache: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp), "KHZREPORT_CACHE": str(cache)}


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}


def session_gone(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def uninterrupted(kind: str, base: Path) -> dict[str, bytes]:
    """Return the outputs of a run nobody stopped (made now, from the same code)."""
    tmp = tempfile.mkdtemp(prefix="khzkill-")  # short: the fork server's socket is in it
    try:
        done = subprocess.run(
            command(kind, base / "out"),
            env=env(Path(tmp), base / "cache"),
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    return outputs(base / "out")


@pytest.mark.parametrize("kind", ["build", "sheets"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
@pytest.mark.parametrize("after", [1.5, 4.0])
def test_a_killed_run_leaves_nothing_and_the_next_run_finishes_it(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    kind: str,
    sig: signal.Signals,
    after: float,
) -> None:
    tmp, out = Path(tempfile.mkdtemp(prefix="khzkill-")), tmp_path / "out"  # short: sockets
    request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
    run_env = env(tmp, tmp_path / "cache")
    proc = subprocess.Popen(
        command(kind, out),
        env=run_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert session_gone(proc.pid, within=5), subprocess.run(
        ["ps", "-o", "pid,ppid,cmd", "-g", str(proc.pid)], capture_output=True, text=True
    ).stdout
    if out.exists():
        with output_lock(out):  # free: no survivor holds it
            pass
    again = subprocess.run(
        command(kind, out, *(["--resume"] if kind == "sheets" else [])),
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert not list(tmp.iterdir()), list(tmp.iterdir())
    assert outputs(out) == uninterrupted(kind, tmp_path / "reference")
