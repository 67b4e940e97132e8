"""The built wheel works outside the repository: templates and assets ship inside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = wheels.glob("khzreport-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples" / "kunshan-2023", work / "kunshan-2023")
    khz = venv / "bin" / "khzreport"
    source = str(work / "kunshan-2023" / "report.yaml")
    for command in ("validate", "lint"):
        result = subprocess.run(
            [str(khz), command, source], capture_output=True, text=True, cwd=work, timeout=120
        )
        assert result.returncode == 0, result.stderr
    probe = (
        "from khzreport.resources import template_path, asset_path, data_root\n"
        "assert 'site-packages' in str(data_root()), data_root()\n"
        "print(template_path('typst', 'briefing.typ').read_text()[:20])\n"
        "print(asset_path('themes', 'gov.yaml').read_text()[:5])\n"
        "import importlib.resources, khzreport\n"
        "assert (importlib.resources.files('khzreport') / 'py.typed').is_file()\n"
        "assert khzreport.__version__\n"
    )
    result = subprocess.run(
        [str(py), "-c", probe], capture_output=True, text=True, cwd=work, timeout=60
    )
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [str(khz), "build", source, "-o", str(work / "out"), "--format", "pdf,html"],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (work / "out" / "briefing.pdf").stat().st_size > 10_000
    assert (work / "out" / "briefing.html").stat().st_size > 10_000
