"""A build of an unchanged source gives back its last outputs; any change to what it read
builds again."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from khzreport import api, buildcache
from khzreport.charts import render_count

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kunshan-2023"


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example with a theme file of its own, built into an empty cache."""
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "src"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "theme.yaml").write_text("extends: briefing\n", encoding="utf-8")
    (folder / "report.yaml").write_text("theme: theme.yaml\n" + text, encoding="utf-8")
    return folder / "report.yaml"


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _rebuilds(source: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Build again; return whether the build ran (rather than coming from the cache)."""
    ran = []
    real = api._build
    monkeypatch.setattr(api, "_build", lambda *a, **k: ran.append(1) or real(*a, **k))
    api.build(source, out, formats="docx,pdf,html")
    monkeypatch.setattr(api, "_build", real)
    return bool(ran)


@pytest.mark.slow
def test_an_unchanged_build_gives_the_same_bytes_and_warnings_without_building(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = api.build(source, out, formats="docx,pdf,html")
    written = _outputs(out)
    (out / "briefing.pdf").unlink()
    (out / "briefing.docx").write_bytes(b"edited by hand")
    drawn = render_count()
    monkeypatch.setattr(api, "_build", lambda *a, **k: pytest.fail("built again"))
    again = api.build(source, out, formats="docx,pdf,html")
    assert _outputs(out) == written
    assert again.outputs == first.outputs
    assert again.diagnostics == first.diagnostics
    assert render_count() == drawn


@pytest.mark.slow
def test_a_change_to_any_file_the_build_read_builds_again(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    api.build(source, out, formats="docx,pdf,html")
    assert not _rebuilds(source, out, monkeypatch)
    data = source.parent / "data" / "indicators.xlsx"
    data.write_bytes(data.read_bytes())  # a save that changed nothing
    assert not _rebuilds(source, out, monkeypatch)
    theme = source.parent / "theme.yaml"
    theme.write_text("extends: briefing\ncolors:\n  primary: '#003366'\n", encoding="utf-8")
    assert _rebuilds(source, out, monkeypatch)
    assert not _rebuilds(source, out, monkeypatch)
    with source.open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert _rebuilds(source, out, monkeypatch)


def test_a_missing_input_noted_stays_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))
    source, photo, out = tmp_path / "r.yaml", tmp_path / "photo.png", tmp_path / "out"
    source.write_text("x", encoding="utf-8")
    with buildcache.recording_inputs() as inputs:
        buildcache.note_input(photo)
    options = buildcache.options_of(out, "pdf")
    buildcache.store(source, options, inputs, [(out / "briefing.pdf", b"%PDF")], [])
    assert buildcache.cached_outputs(source, options) is not None
    assert buildcache.cached_outputs(source, buildcache.options_of(out, "docx")) is None
    photo.write_bytes(b"now it is there")
    assert buildcache.cached_outputs(source, options) is None


@pytest.mark.slow
def test_the_command_line_repeats_an_unchanged_build_without_loading_the_model(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "khzreport", "build", str(source), "-o", str(out)]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    probe = (
        "import runpy, sys; sys.argv = " + repr(["khzreport", *command[3:]]) + "\n"
        "try:\n    runpy.run_module('khzreport', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('pydantic' in sys.modules, 'matplotlib' in sys.modules, file=sys.stderr)"
    )
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert again.stdout == first.stdout
    assert again.stderr.splitlines()[-1] == "False False"


MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal" / "report.yaml"


def _validate(source: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``khzreport validate``; its last stderr line says whether pydantic was loaded."""
    return _command("validate", source, *options)


def _command(name: str, source: Path, *options: str) -> subprocess.CompletedProcess[str]:
    probe = (
        "import runpy, sys; sys.argv = "
        + repr(["khzreport", name, str(source), *options])
        + "\ntry:\n    runpy.run_module('khzreport', run_name='__main__')\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "print('pydantic' in sys.modules, file=sys.stderr)\nsys.exit(code)"
    )
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)


def test_validate_repeats_an_unchanged_check_without_loading_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "report.yaml"
    pending = MINIMAL.read_text(encoding="utf-8").replace("    value: 820\n", "    value: null\n")
    source.write_text(pending, encoding="utf-8")
    first = _validate(source)
    assert first.returncode == 0, first.stderr
    assert "indicators[1].value: indicator 'firms' has no value yet" in first.stderr
    assert first.stderr.splitlines()[-1] == "True"
    again = _validate(source)
    assert (again.returncode, again.stdout) == (0, first.stdout)
    assert again.stderr.splitlines()[:-1] == first.stderr.splitlines()[:-1]  # the warning too
    assert again.stderr.splitlines()[-1] == "False"
    # the edition checked is part of the key
    assert _validate(source, "--language", "zh-CN").stderr.splitlines()[-1] == "True"
    # a changed source is checked again, and a failed check is never remembered
    source.write_text(pending.replace("    unit: 家\n", "    unit: 家\n    bogus: 1\n"), "utf-8")
    for _ in range(2):
        failed = _validate(source)
        assert failed.returncode == 2 and "bogus" in failed.stderr, failed.stderr
        assert failed.stderr.splitlines()[-1] == "True"


def test_validate_checks_again_when_a_data_file_changes(source: Path, tmp_path: Path) -> None:
    assert _validate(source).returncode == 0
    assert _validate(source).stderr.splitlines()[-1] == "False"
    data = source.parent / "data" / "indicators.xlsx"
    data.write_bytes(data.read_bytes() + b"\0")  # other bytes, the same tables
    again = _validate(source)
    assert again.returncode == 0 and again.stderr.splitlines()[-1] == "True", again.stderr
    assert _validate(source).stderr.splitlines()[-1] == "False"


def _lint(source: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``khzreport lint``; its last stderr line says whether pydantic was loaded."""
    return _command("lint", source, *options)


def test_lint_repeats_a_lint_that_found_nothing_and_never_one_that_found_something(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "report.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    first = _lint(source)  # the chart of one value is the advisor's warning
    assert first.returncode == 0 and "no findings, 1 warning(s)" in first.stdout, first.stderr
    assert "chart 'scale' shows only 1 value:" in first.stderr
    again = _lint(source)
    assert (again.returncode, again.stdout) == (0, first.stdout)
    assert again.stderr.splitlines() == [*first.stderr.splitlines()[:-1], "False"]
    strict = _lint(source, "--strict")  # its own key: the warning is a finding there
    assert strict.returncode == 2 and strict.stderr.splitlines()[-1] == "True"
    source.write_text(text.replace("达{{ ind.firms }}。", "达820家。"), encoding="utf-8")
    for _ in range(2):
        typed = _lint(source)
        assert typed.returncode == 2 and "number typed into prose: '820'" in typed.stderr
        assert "chart 'scale' shows only 1 value:" in typed.stderr  # warned before the error
        assert typed.stderr.splitlines()[-1] == "True"
