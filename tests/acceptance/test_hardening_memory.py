"""Whole builds stay within memory and time whatever the source holds: a hostile workbook
(a cell in column XFD, a million blank formatted rows) and a template that amplifies a short
source towards the document's text cap. Each build runs as ``khzreport build`` in a child
of a small measuring process, whose RUSAGE_CHILDREN peak is the build's own."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from khzreport import limits
from tests.unit.source.test_spreadsheet_hostile import HEADER, number, row, workbook

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"
MAX_RSS_MB = 300

MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "khzreport", *sys.argv[1:]], capture_output=True, text=True
    )
    print(json.dumps({
        "code": done.returncode,
        "stderr": done.stderr,
        "seconds": time.monotonic() - start,
        "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))
    """
)


def build(source: Path, *options: str) -> dict[str, object]:
    """Return the exit code, stderr, seconds and peak RSS (MB) of ``khzreport build``."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURE,
            "build",
            str(source),
            "-o",
            str(source.parent / "out"),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def with_data(tmp_path: Path, workbook_name: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("indicators:\n", f"data:\n  - file: {workbook_name}\nindicators:\n", 1)
    source = tmp_path / "report.yaml"
    source.write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize(
    ("rows", "refused"),
    [
        pytest.param(0, False, id="column XFD"),
        pytest.param(1_000_000, True, id="column XFD and a million blank rows"),
    ],
)
def test_a_hostile_workbook_builds_or_is_refused_within_bounds(
    tmp_path: Path, rows: int, refused: bool
) -> None:
    wide = "".join(row(n, f"i{n}", number(n, n), f'<c r="XFD{n}" s="1"/>') for n in range(2, 2002))
    blank = '<row><c s="1"/></row>' * rows
    book = workbook(tmp_path / "t.xlsx", HEADER + wide + blank, dimension="A1:XFD1048576")
    assert book.stat().st_size < 200_000
    result = build(with_data(tmp_path, "t.xlsx"), "-f", "docx,html")
    assert result["rss_mb"] < MAX_RSS_MB, result  # type: ignore[operator]
    assert result["seconds"] < 60, result  # type: ignore[operator]
    if refused:
        assert result["code"] == 2, result
        assert f"more than {limits.MAX_SHEET_CELLS:,} cells" in str(result["stderr"])
        assert "t.xlsx[Sheet]!" in str(result["stderr"])
        assert not (tmp_path / "out" / "briefing.docx").exists()
    else:
        assert result["code"] == 0, result


@pytest.mark.parametrize("over", [True, False], ids=["past the cap", "just under it"])
def test_an_amplifying_template_is_capped_within_bounds(tmp_path: Path, over: bool) -> None:
    per = limits.MAX_SEQUENCE
    count = limits.MAX_DOCUMENT_CHARS // per + (1 if over else -2)
    blocks = "".join(f"      - paragraph: \"{{{{ '字' * {per} }}}}\"\n" for _ in range(count))
    chart = "      - chart: scale\n"
    source = tmp_path / "report.yaml"
    source.write_text(MINIMAL.read_text(encoding="utf-8").replace(chart, chart + blocks))
    assert source.stat().st_size < 3_000  # a short source ...
    result = build(source)
    assert result["rss_mb"] < MAX_RSS_MB, result  # type: ignore[operator]
    assert result["seconds"] < 90, result  # type: ignore[operator]
    if over:  # ... is refused at the paragraph that passes the cap, nothing written
        assert result["code"] == 2, result
        assert f"passes {limits.MAX_DOCUMENT_CHARS:,} characters here" in str(result["stderr"])
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    else:  # ... or makes a long but bounded document
        assert result["code"] == 0, result
        assert (tmp_path / "out" / "briefing.pdf").stat().st_size > 0
