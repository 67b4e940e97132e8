"""The chart advisor: each warning fires on a planted bad chart, located, and the example is
silent on every chart warning."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from khzreport import api

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
EXAMPLE = Path(__file__).parents[3] / "examples" / "kunshan-2023" / "report.yaml"

INDICATORS = """\
  - id: big
    label: 入驻企业
    value: 96
    unit: 家
  - id: held
    label: 在孵企业
    value: 50
    unit: 家
    measure: 存量
  - id: many
    label: 新增企业
    value: 20
    unit: 家
    measure: flow
  - id: mid
    label: 创新型中小企业
    value: 10
    unit: 家
    measure: flow
  - id: small
    label: 规上企业
    value: 1
    unit: 家
    measure: 流量
  - id: rank_prov
    label: 省内排名
    rank: {position: 6, list: 江苏省高新区综合评价}
"""


def source(tmp_path: Path, chart: str, extra_blocks: str = "") -> Path:
    """Return the minimal source with the planted indicators and ``chart`` as chart 'scale'."""
    text = MINIMAL.read_text(encoding="utf-8")
    start = text.index("charts:\n")
    end = text.index("sections:\n")
    text = text[:start] + INDICATORS + "charts:\n" + chart + text[end:]
    text = text.replace("      - chart: scale\n", "      - chart: scale\n" + extra_blocks)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def chart(kind: str, ids: str) -> str:
    return (
        f"  - id: scale\n    kind: {kind}\n    title: 企业\n    indicators: [{ids}]\n    unit: 家\n"
    )


def advice(path: Path) -> list[tuple[str, str]]:
    return [(d.code, d.one_line()) for d in api.advise(api.load(path))]


def test_a_bar_of_96_against_1_is_reported_at_the_chart(tmp_path: Path) -> None:
    [(_code, line)] = [
        a
        for a in advice(source(tmp_path, chart("bar", "big, small, output")))
        if a[0] == "chart-bar-ratio"
    ]
    assert re.match(r".*report\.yaml:\d+:5: charts\[0\]: chart 'scale': its largest bar", line), (
        line
    )
    assert "('output', 1234.5)" in line and "('small', 1)" in line
    assert "KPI card" in line


def test_bars_within_twenty_times_are_not_reported(tmp_path: Path) -> None:
    found = advice(source(tmp_path, chart("bar", "big, mid, many")))
    assert [c for c, _ in found if c.startswith("chart-")] == []


@pytest.mark.parametrize("ids", ["big", "big, mid"])
def test_fewer_than_three_values_are_reported(tmp_path: Path, ids: str) -> None:
    found = advice(source(tmp_path, chart("bar", ids)))
    [line] = [line for code, line in found if code == "chart-few-values"]
    count = ids.count(",") + 1
    assert f"shows only {count} value{'s' if count > 1 else ''}:" in line and "charts[0]" in line


def test_a_line_of_two_years_is_reported(tmp_path: Path) -> None:
    planted = source(
        tmp_path,
        "  - id: scale\n    kind: line\n    title: 趋势\n    series: [{indicator: trend}]\n",
    )
    planted.write_text(
        planted.read_text(encoding="utf-8").replace(
            "charts:\n",
            "  - id: trend\n    label: 产值\n    unit: 亿元\n    series: {2022: 1, 2023: 2}\ncharts:\n",
            1,
        ),
        encoding="utf-8",
    )
    assert "chart-few-values" in [c for c, _ in advice(planted)]


def test_a_stock_beside_flows_is_reported_naming_each(tmp_path: Path) -> None:
    found = advice(source(tmp_path, chart("bar", "held, mid, many")))
    [line] = [line for code, line in found if code == "chart-stock-and-flow"]
    assert "stocks (held) with flows (mid, many)" in line


def test_no_measure_is_inferred(tmp_path: Path) -> None:
    found = advice(source(tmp_path, chart("bar", "big, held, firms")))
    assert "chart-stock-and-flow" not in [c for c, _ in found]


def test_ranks_of_lists_of_different_sizes_on_one_axis_are_reported(tmp_path: Path) -> None:
    planted = source(tmp_path, chart("ranking", "rank, rank_prov, rank"))
    planted.write_text(
        planted.read_text(encoding="utf-8").replace(
            "{position: 32, previous: 35,", "{position: 32, of: 178, previous: 35,"
        ),
        encoding="utf-8",
    )
    found = advice(planted)
    [line] = [line for code, line in found if code == "chart-ranks-of-different-lists"]
    assert "'rank' of 178" in line and "'rank_prov' of ?" in line and "rank.of" in line


def test_ranks_of_two_lists_of_unknown_size_are_reported_and_one_list_is_not(
    tmp_path: Path,
) -> None:
    found = advice(source(tmp_path, chart("ranking", "rank, rank_prov, rank")))
    [line] = [line for code, line in found if code == "chart-ranks-of-different-lists"]
    assert "'rank' of ?, 'rank_prov' of ?" in line
    planted = source(tmp_path, chart("ranking", "rank, rank_prov, rank"))
    planted.write_text(
        planted.read_text(encoding="utf-8").replace(
            "list: 江苏省高新区综合评价", "list: 国家高新区综合评价"
        ),
        encoding="utf-8",
    )
    assert "chart-ranks-of-different-lists" not in [c for c, _ in advice(planted)]


def test_ranks_that_know_their_lists_are_each_drawn_among_their_own(tmp_path: Path) -> None:
    planted = source(tmp_path, chart("ranking", "rank, rank_prov, rank"))
    text = planted.read_text(encoding="utf-8")
    text = text.replace("{position: 32, previous: 35,", "{position: 32, of: 178, previous: 35,")
    text = text.replace("{position: 6, list:", "{position: 6, of: 13, list:")
    planted.write_text(text, encoding="utf-8")
    assert "chart-ranks-of-different-lists" not in [c for c, _ in advice(planted)]


def test_the_ratio_is_of_the_values_as_drawn(tmp_path: Path) -> None:
    planted = source(tmp_path, chart("bar", "big, mid, yuan"))
    planted.write_text(
        planted.read_text(encoding="utf-8").replace(
            "charts:\n",
            "  - id: yuan\n    label: 营收\n    value: 5000000000\n    source_unit: 元\n"
            "    unit: 亿元\ncharts:\n",
            1,
        ),
        encoding="utf-8",
    )
    assert "chart-bar-ratio" not in [c for c, _ in advice(planted)]  # 50亿元 beside 96 and 10


def test_a_rank_drawn_as_a_bar_is_reported(tmp_path: Path) -> None:
    found = advice(source(tmp_path, chart("bar", "rank, rank_prov, firms")))
    assert "chart-rank-as-bar" in [c for c, _ in found]


def test_a_figure_printed_four_times_is_reported_with_its_places(tmp_path: Path) -> None:
    blocks = "      - table: {title: 企业, rows: [firms], columns: [label, value]}\n      - callout: 高新技术企业{{ ind.firms }}。\n"
    found = advice(source(tmp_path, chart("bar", "big, mid, firms"), blocks))
    [line] = [line for code, line in found if code == "figure-repeated"]
    assert "'firms' (820家) is printed 5 times in the briefing" in line
    assert "indicators[1]: " in line
    assert "图1 (figure)" in line and "表1 (table)" in line and "kpi_panel" in line


def test_three_prints_are_not_reported(tmp_path: Path) -> None:
    found = advice(source(tmp_path, chart("bar", "big, held, firms")))
    assert "figure-repeated" not in [c for c, _ in found]


def test_the_example_draws_its_figures_and_charts_as_the_advisor_asks() -> None:
    assert advice(EXAMPLE) == []


def test_lint_prints_the_advice_as_warnings_and_fails_only_when_strict(tmp_path: Path) -> None:
    planted = source(tmp_path, chart("bar", "big, small"))
    plain = subprocess.run(
        [sys.executable, "-m", "khzreport", "lint", str(planted)], capture_output=True, text=True
    )
    assert plain.returncode == 0, plain.stderr
    assert re.search(
        r"^warning: .*report\.yaml:\d+:5: charts\[0\]: chart 'scale' shows only 2 values",
        plain.stderr,
        re.M,
    )
    strict = subprocess.run(
        [sys.executable, "-m", "khzreport", "lint", "--strict", str(planted)],
        capture_output=True,
        text=True,
    )
    assert strict.returncode == 2
    assert re.search(r"^error: .*charts\[0\]: chart 'scale': its largest bar", strict.stderr, re.M)
    assert "Traceback" not in strict.stderr


def test_a_print_is_the_whole_number_not_digits_inside_another() -> None:
    from khzreport.resolver.advisor import _shows

    assert _shows("入驻企业96家", "96") and _shows("达18.04%，", "18.04")
    assert not _shows("成立于1996年", "96") and not _shows("增长9.5%", "9")
    assert not _shows("共1,096家", "96") and _shows("位列第32名", "第32名")
