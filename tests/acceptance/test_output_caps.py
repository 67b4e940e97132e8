"""A short source cannot make a huge document: the resolved text, the figures and the PDF's
pages are capped per document, each a located error that ``validate`` (text, figures) or
the build (pages) reports before anything is written."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from khzreport import api, limits
from khzreport.errors import KhzReportError
from khzreport.resolver import composer
from khzreport.writers import pdf

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"
CHART = "      - chart: scale\n"


def source(tmp_path: Path, blocks: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8").replace(CHART, CHART + blocks)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class TestOneDocumentIsBounded:
    def test_text_past_the_cap_is_refused_at_the_block_that_passes_it(self, tmp_path: Path) -> None:
        per = limits.MAX_SEQUENCE
        count = limits.MAX_DOCUMENT_CHARS // per + 1
        blocks = "".join(f"      - paragraph: \"{{{{ '字' * {per} }}}}\"\n" for _ in range(count))
        report = api.load(source(tmp_path, blocks))
        started = time.perf_counter()
        with pytest.raises(KhzReportError) as info:
            api.validate(report)
        assert time.perf_counter() - started < 10
        message = str(info.value)
        assert f"passes {limits.MAX_DOCUMENT_CHARS:,} characters here" in message
        where = re.search(r"report\.yaml:(\d+):\d+: sections\[0\]\.blocks\[(\d+)\]", message)
        # blocks 0 and 1 are the paragraph and chart of the source; each added block prints
        # MAX_SEQUENCE characters, so the (count - 1)th added one, blocks[count], passes
        assert where and int(where[2]) == count, message

        fewer = "".join(
            f"      - paragraph: \"{{{{ '字' * {per} }}}}\"\n" for _ in range(count - 2)
        )
        api.validate(api.load(source(tmp_path, fewer)))

    def test_figures_past_the_cap_are_refused_at_the_first_one_over(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(composer, "MAX_DOCUMENT_FIGURES", 3)
        report = api.load(source(tmp_path, CHART * 3))
        with pytest.raises(KhzReportError) as info:
            api.validate(report)
        assert "more than 3 figures" in str(info.value)
        assert re.search(r"report\.yaml:\d+:\d+: sections\[0\]\.blocks\[4\]", str(info.value))
        api.validate(api.load(source(tmp_path, CHART * 2)))

    def test_a_pdf_past_the_page_cap_is_refused_and_not_written(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 0)
        path = source(tmp_path, "")
        with pytest.raises(KhzReportError, match="more than 0") as info:
            api.build(path, tmp_path / "out", formats=["pdf"])
        assert "report.yaml" in str(info.value)
        assert not list((tmp_path / "out").glob("*.pdf"))
