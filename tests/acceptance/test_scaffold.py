"""``khzreport new``: an empty commented report that builds, and last year's copied forward."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from khzreport import api, scaffold
from khzreport.document import Paragraph, Table, to_plain

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"


def khz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "khzreport", *args], capture_output=True, text=True, timeout=300
    )


def test_new_report_validates_and_builds(tmp_path: Path) -> None:
    folder = tmp_path / "zone-2025"
    result = khz("new", str(folder), "--year", "2025")
    assert result.returncode == 0, result.stderr
    assert {p.name for p in folder.iterdir()} >= {"report.yaml", "theme.yaml", "data", "images"}
    assert (folder / "data" / "indicators.xlsx").is_file()
    source = folder / "report.yaml"
    assert "# lead:" in source.read_text(encoding="utf-8")  # optional fields are shown, commented
    assert khz("validate", str(source)).returncode == 0
    assert khz("lint", str(source)).returncode == 0
    result = khz("build", str(source), "-f", "docx,pdf")
    assert result.returncode == 0, result.stderr
    assert api.load(source).meta.year == 2025


def test_new_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me", encoding="utf-8")
    result = khz("new", str(tmp_path))
    assert result.returncode == 2
    assert "not an empty folder" in result.stderr
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.slow
def test_copy_forward_gives_a_next_year_skeleton_that_validates(tmp_path: Path) -> None:
    folder = tmp_path / "kunshan-2024"
    result = khz("new", str(folder), "--from", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    source = folder / "report.yaml"
    result = khz("validate", str(source))
    assert result.returncode == 0, result.stderr
    assert "〔待填〕" in result.stderr
    old, new = api.load(EXAMPLE), api.load(source)
    assert new.meta.year == 2024 and new.meta.date.year == old.meta.date.year + 1
    assert "2024" in new.meta.title
    cluster = new.indicator("cluster_electronics")
    assert cluster.value is None and cluster.pending
    assert cluster.previous == old.indicator("cluster_electronics").value
    assert cluster.qualifier is None
    rank = new.indicator("rank_national").rank
    assert rank is not None and rank.position is None and rank.previous == 32
    founded = [i for i in old.indicators if isinstance(i.period, int) and i.period < 2023]
    for ind in founded:  # historic facts stay
        assert new.indicator(ind.id).value == ind.value, ind.id
    assert khz("lint", str(source)).returncode == 0


def test_copy_forward_moves_every_date_a_year_on(tmp_path: Path) -> None:
    scaffold.copy_forward(EXAMPLE, tmp_path / "next")
    report = api.load(tmp_path / "next" / "report.yaml")
    old = api.load(EXAMPLE)
    assert old.meta.distribution and report.meta.distribution
    assert report.meta.distribution.printed_date == old.meta.distribution.printed_date.replace(
        year=old.meta.distribution.printed_date.year + 1
    )
    stocks = [i for i in old.indicators if i.as_of is not None]
    assert stocks, "the example words when its stock figures stand (as_of: 截至目前)"
    assert all(report.indicator(i.id).as_of == i.as_of for i in stocks)  # words without a year
    document = api.resolve(report)
    printed = str(to_plain([b for b in document.blocks if isinstance(b, Table | Paragraph)]))
    assert "2023年12月31日" not in printed
    assert "2024年1月15日" not in str(to_plain(document))


def test_copy_forward_moves_as_of_dates_and_years_on(tmp_path: Path) -> None:
    """A stock dated 2023-12-31 stands at 2024-12-31 next year, 截至2023年底 at 截至2024年底;
    words without a year (截至目前) stay as they are, in YAML and in a data table alike."""
    from openpyxl import Workbook

    folder = tmp_path / "zone-2023"
    folder.mkdir()
    (folder / "data").mkdir()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "指标", "数值", "单位", "截至"])
    ws.append(["in_sheet", "入驻企业", 96, "家", "截至2023年底"])
    wb.save(folder / "data" / "indicators.xlsx")
    (folder / "report.yaml").write_text(
        """\
meta: {id: z2023, title: 示范高新区2023年度发展简报, issuer: 示范高新区管委会, year: 2023, date: 2024-01-15}
data:
  - file: data/indicators.xlsx
indicators:
  - {id: dated, label: 有效发明专利, value: 5654, unit: 件, as_of: 2023-12-31}
  - {id: worded, label: 国家级人才, value: 74, unit: 名, as_of: 截至目前}
sections:
  - id: s
    title: 概况
    blocks:
      - paragraph: 有效发明专利{{ ind.dated }}，国家级人才{{ ind.worded }}，入驻企业{{ ind.in_sheet }}。
""",
        encoding="utf-8",
    )
    scaffold.copy_forward(folder / "report.yaml", tmp_path / "next")
    report = api.load(tmp_path / "next" / "report.yaml")
    assert report.indicator("dated").as_of == dt.date(2024, 12, 31)
    assert report.indicator("worded").as_of == "截至目前"
    assert report.indicator("in_sheet").as_of == "截至2024年底"
