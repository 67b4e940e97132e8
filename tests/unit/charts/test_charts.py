"""Tests of chart rendering: every kind draws, cleanly, deterministically and from cache.

The chart data is built by hand here (the resolver's job in real builds) and restates the
Kunshan 2023 briefing, plus the awkward cases: long Chinese category names, a negative
growth rate, a missing year, labels that look like mathtext.

Golden files under ``tests/golden/charts/`` pin what each kind draws as readable JSON (bar
geometry and colours, line points, every text with its rounded position), not pixels.
After an intended drawing change, regenerate them with::

    .venv/bin/python -m pytest tests/unit/charts --update-golden

and review the diff like any other code change. ``KHZREPORT_CHART_PREVIEW=/tmp/khz-charts``
saves every sample as PNG to look at.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import math
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import khzreport.charts as charts
from khzreport.charts import ChartCache, alt_text, draw, render, render_both
from khzreport.charts.drawing import visible_texts
from khzreport.charts.fonts import FONT_DIRS_ENV, FontFile, find_font, missing_glyphs
from khzreport.charts.text import strip_unit, wrap
from khzreport.document import ChartData, ChartPoint, ChartSeries
from khzreport.errors import FontError, OutputError
from khzreport.source.themes import load_theme
from khzreport.theme import Theme
from tests.support.charts import (
    SAMPLES,
    THEME,
    bar,
    bar_long_labels,
    bar_negative,
    big_number,
    big_number_single,
    combo,
    donut,
    grouped_bar,
    line,
    literal_labels,
    ranking,
    ranking_of_lists,
    ranking_values,
    series,
)

GOLDEN = Path(__file__).parents[2] / "golden" / "charts"
PREVIEW = os.environ.get("KHZREPORT_CHART_PREVIEW")  # a folder: save every PNG to look at


def _one_bar(category: str) -> ChartData:
    point = ChartPoint(category, 742.0, "突破740亿元")
    return ChartData(
        id="one", kind="bar", title="一", categories=(category,),
        series=(ChartSeries(None, (point,), "亿元"),), unit_line="单位：亿元",
    )  # fmt: skip


def _s(name: str | None, unit: str, rows: list[tuple[str, float | None, str]]) -> ChartSeries:
    return series(name, unit, rows)


def edge_cases() -> dict[str, ChartData]:
    """Return charts at the edges: no data, one value, dips, many categories, English."""
    years = tuple(f"{y}年" for y in range(2014, 2024))
    many = tuple(
        _s(f"系列{k}", "亿元", [(y, 100.0 + 10 * k + i, f"突破{100 + 10 * k + i}亿元")
                            for i, y in enumerate(years)])
        for k in range(3)
    )  # fmt: skip
    firms = [
        (f"企业{i}号有限公司", float(i * 7 % 23 + 1), f"{i * 7 % 23 + 1}亿元") for i in range(14)
    ]
    return {
        "empty": ChartData("e1", "bar", "空", (), ()),
        "all_missing": ChartData(
            "e2", "line", "全缺", ("2022年", "2023年"),
            (_s(None, "亿元", [("2022年", None, "—"), ("2023年", None, "—")]),),
        ),
        "one_bar": _one_bar("电子信息"),
        "zeros": ChartData(
            "e3", "bar", "零", ("甲", "乙"), (_s(None, "家", [("甲", 0.0, "0家"), ("乙", 0.0, "0家")]),)
        ),
        "line_dips": ChartData(
            "e4", "line", "增速", ("2021年", "2022年", "2023年"),
            (_s(None, "%", [("2021年", -5.0, "-5%"), ("2022年", 3.0, "3%"), ("2023年", -1.0, "-1%")]),),
            unit_line="单位：%",
        ),
        "stacked_negative": ChartData(
            "e5", "stacked_bar", "净流入", ("甲", "乙"),
            (_s("流入", "亿元", [("甲", 5.0, "5亿元"), ("乙", -2.0, "-2亿元")]),
             _s("流出", "亿元", [("甲", -3.0, "-3亿元"), ("乙", 4.0, "4亿元")])),
            unit_line="单位：亿元",
        ),
        "rank_missing": ChartData(
            "e6", "ranking", "排名", ("甲", "乙", "丙"),
            (_s(None, "名", [("甲", 3.0, "第3名"), ("乙", None, "—"), ("丙", 120.0, "第120名")]),),
        ),
        "crowded_groups": ChartData(
            "e7", "grouped_bar", "十年", years, many, unit_line="单位：亿元"
        ),
        "many_firms": ChartData(
            "e8", "ranking", "企业", (), (_s(None, "亿元", firms),), unit_line="单位：亿元"
        ),
        "donut_negative": ChartData(
            "e9", "donut", "构成", ("a", "b", "c"),
            (_s(None, "个", [("甲类", 5.0, "5个"), ("乙类", -1.0, "-1个"), ("丙类", 3.0, "3个")]),),
        ),
        "big_number_gap": ChartData(
            "e10", "big_number", "营收", ("2021年", "2022年", "2023年"),
            (_s(None, "亿元", [("2021年", 5.0, "5亿元"), ("2022年", None, "—"), ("2023年", 7.0, "约7亿元")]),),
        ),
        "english": ChartData(
            "e11", "bar", "Output", ("Electronics & information", "High-end equipment", "New materials"),
            (_s(None, "bn yuan", [("Electronics & information", 742.0, "over 74 bn yuan"),
                                  ("High-end equipment", 503.0, "over 50 bn yuan"),
                                  ("New materials", None, "—")]),),
            unit_line="Unit: 100 mn yuan", language="en",
        ),
    }  # fmt: skip


EDGES = edge_cases()


KINDS = ["bar", "ranking", "grouped_bar", "stacked_bar", "line", "combo", "donut", "big_number"]


@pytest.fixture(autouse=True)
def _no_font_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_DIRS_ENV, raising=False)


# --- every kind renders ------------------------------------------------------------------


def test_samples_cover_every_kind() -> None:
    assert {make().kind for make in SAMPLES.values()} == set(KINDS)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_renders_svg_and_png(name: str) -> None:
    chart = SAMPLES[name]()
    out = render_both(chart, THEME)
    assert out.svg.startswith(b"<?xml") and b"<svg" in out.svg
    assert out.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert out.warnings == ()
    width_px, height_px, dpi = _png_info(out.png)
    assert dpi >= 200
    assert width_px == pytest.approx(out.width_cm / 2.54 * THEME.chart.dpi, abs=2)
    assert height_px == pytest.approx(out.height_cm / 2.54 * THEME.chart.dpi, abs=2)
    assert out.alt == alt_text(chart)
    assert render(chart, THEME, "svg") == out.svg
    assert render(chart, THEME, "png") == out.png
    if PREVIEW:
        Path(PREVIEW).mkdir(parents=True, exist_ok=True)
        (Path(PREVIEW) / f"{name}.png").write_bytes(out.png)


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_cases_render(name: str) -> None:
    out = render_both(EDGES[name], THEME)
    assert out.png.startswith(b"\x89PNG") and out.warnings == ()
    if PREVIEW:
        Path(PREVIEW).mkdir(parents=True, exist_ok=True)
        (Path(PREVIEW) / f"edge_{name}.png").write_bytes(out.png)


def test_edge_case_details() -> None:
    assert "数据缺失" in _strings(draw(EDGES["empty"], THEME))
    assert "注：乙数据缺失" in _strings(draw(EDGES["rank_missing"], THEME))
    assert "注：乙类为负值，未计入占比" in _strings(draw(EDGES["donut_negative"], THEME))
    assert "Note: no data for New materials" in _strings(draw(EDGES["english"], THEME))
    dips = {t.get_text(): t for t in visible_texts(draw(EDGES["line_dips"], THEME))}
    assert dips["-5%"].get_va() == "top" and dips["3%"].get_va() == "bottom"
    crowded = [
        t for t in visible_texts(draw(EDGES["crowded_groups"], THEME)) if "突破" in t.get_text()
    ]
    assert crowded == []  # thirty bars: no room for labels, the value axis stays


def test_full_width_charts_follow_the_theme_width() -> None:
    out = render_both(bar(), THEME)
    assert out.width_cm == pytest.approx(15.5)
    assert out.height_cm == pytest.approx(15.5 * THEME.chart.aspect)


@pytest.mark.parametrize("name", ["bar", "donut", "combo", "big_number", "ranking"])
def test_same_input_gives_identical_bytes(name: str) -> None:
    first = render_both(SAMPLES[name](), THEME)
    second = render_both(SAMPLES[name](), THEME)
    assert first.svg == second.svg
    assert first.png == second.png


def test_svg_has_no_timestamp_and_text_as_outlines() -> None:
    svg = render_both(bar(), THEME).svg.decode()
    assert "<dc:date>" not in svg and "Matplotlib" not in svg
    assert "<text" not in svg  # svg.fonttype = "path": Typst needs no font to show it
    assert "<title>主导产业集群规模</title>" in svg


def test_png_has_no_software_stamp() -> None:
    assert b"Software" not in render_both(bar(), THEME).png


def test_other_preset_renders() -> None:
    gov = load_theme("gov", None)
    out = render_both(combo(), gov)
    assert out.svg != render_both(combo(), THEME).svg
    fig = draw(combo(), gov)
    line_color = fig.axes[1].lines[0].get_color()
    assert line_color.lower() not in {"#a61c1c", "#c8102e"}  # not the bars' red


# --- layout ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SAMPLES, *EDGES])
def test_no_two_texts_overlap(name: str) -> None:
    fig = draw(SAMPLES[name]() if name in SAMPLES else EDGES[name], THEME)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = visible_texts(fig)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    clashes = [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]
    assert clashes == []
    w, h = fig.bbox.width, fig.bbox.height
    outside = [
        s for s, b in boxes if b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > w + 0.5 or b.y1 > h + 0.5
    ]
    assert outside == []


@pytest.mark.parametrize("name", [*SAMPLES, *EDGES])
def test_every_text_uses_the_cjk_font_and_has_its_glyphs(name: str) -> None:
    font, bold = charts.chart_font(THEME)
    fig = draw(SAMPLES[name]() if name in SAMPLES else EDGES[name], THEME)
    allowed = {str(font.path)} | ({str(bold.path)} if bold else set())
    for t in visible_texts(fig):
        path = str(t.get_fontproperties().get_file())
        assert path in allowed, t.get_text()
        face = bold if bold and path == str(bold.path) else font
        assert missing_glyphs(t.get_text(), face) == set(), t.get_text()


def test_value_labels_are_the_printed_labels() -> None:
    strings = _strings(draw(bar(), THEME))
    assert {"突破740亿元", "突破500亿元", "近140亿元", "超60亿元"} <= set(strings)
    assert "单位：亿元" in strings


def test_title_is_not_drawn_in_axis_charts() -> None:
    for make in (bar, line, donut, combo):
        chart = make()
        assert chart.title not in _strings(draw(chart, THEME))


def test_missing_value_is_a_gap_with_a_note() -> None:
    fig = draw(line(), THEME)
    ys = fig.axes[0].lines[0].get_ydata()
    assert math.isnan(ys[2])
    assert "注：地区生产总值2021年数据缺失" in _strings(fig)
    assert "注：新能源产业2023年数据缺失" in _strings(draw(bar(), THEME))


def test_negative_values_hang_below_a_zero_line() -> None:
    fig = draw(bar_negative(), THEME)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert min(heights) == -12.5
    assert ax.get_ylim()[0] < -12.5
    assert any(list(line.get_ydata()) == [0, 0] for line in ax.lines)
    assert "-12.5%" in _strings(fig)


def test_long_category_names_switch_bars_to_horizontal() -> None:
    fig = draw(bar_long_labels(), THEME)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].replace("\n", "") == "昆山高新区电子信息产业集群"
    assert all(p.get_height() < 1 for p in ax.patches)  # bars run along x


def _dots(fig: Any) -> dict[float, float]:
    """Return the x of each rank's dot by row (a line of one point)."""
    ax = fig.axes[0]
    return {
        float(line.get_ydata()[0]): float(line.get_xdata()[0])
        for line in ax.get_lines()
        if len(line.get_xdata()) == 1
    }


def test_ranks_are_dots_with_first_place_on_the_right() -> None:
    fig = draw(ranking(), THEME)
    ax = fig.axes[0]
    order = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    assert order == [
        "全国县域高新区",
        "江苏省高新区综合评价",
        "国家高新区综合评价",
        "国家高新区知识产权指数",
    ]
    xs = [x for _, x in sorted(_dots(fig).items())]
    assert xs == sorted(xs, reverse=True)  # 第1名 rightmost, 第41名 leftmost
    assert xs[0] == pytest.approx(1.0)
    assert {"第1名", "第6名", "第32名", "第41名"} <= set(_strings(fig))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[-1] == "40" or "40" in ticks  # the scale reaches past the worst rank shown
    assert not any("越靠" in s or "→" in s for s in _strings(fig))  # no demo hints


def test_each_rank_is_drawn_among_its_own_list() -> None:
    fig = draw(ranking_of_lists(), THEME)
    dots = _dots(fig)
    rows = [t.get_text().replace("\n", "") for t in fig.axes[0].get_yticklabels()]
    by_name = {rows[int(row)]: x for row, x in dots.items()}
    assert by_name["国家高新区综合评价"] == pytest.approx((178 - 32) / 177)  # near the top of 178
    assert by_name["江苏省高新区综合评价"] == pytest.approx((10 - 6) / 9)
    assert by_name["国家高新区综合评价"] > by_name["江苏省高新区综合评价"]
    strings = _strings(fig)
    assert {"共178名", "共10名", "共50名", "第1名"} <= set(strings)
    assert not any("越靠" in s or "→" in s for s in strings)


def test_value_rankings_are_sorted_largest_first() -> None:
    ax = draw(ranking_values(), THEME).axes[0]
    assert ax.get_yticklabels()[0].get_text() == "仁宝信息"


def test_donut_prints_count_and_computed_share() -> None:
    strings = _strings(draw(donut(), THEME))
    assert "高新技术企业\n305家（65.6%）" in strings
    assert any(s.endswith("2家（0.4%）") for s in strings)


def test_combo_has_a_right_axis_with_its_own_unit() -> None:
    fig = draw(combo(), THEME)
    assert len(fig.axes) == 2
    strings = _strings(fig)
    assert {"单位：亿元", "单位：%", "产值", "同比增长", "-2.5%"} <= set(strings)


def test_legend_only_with_several_series() -> None:
    assert draw(bar(), THEME).legends == []
    assert len(draw(grouped_bar(), THEME).legends) == 1


def test_big_number_card_shows_value_title_and_sparkline() -> None:
    fig = draw(big_number(), THEME)
    strings = _strings(fig)
    assert strings[:3] == ["近", "140", "亿元"]
    assert "新材料产业产值" in strings
    assert {"2019年", "2023年"} <= set(strings)
    single = draw(big_number_single(), THEME)
    assert len(single.axes) == 0  # one value: no sparkline


def test_dollar_and_backslash_print_literally() -> None:
    fig = draw(literal_labels(), THEME)
    texts = {t.get_text(): t for t in visible_texts(fig)}
    for s in ("$x^2$", "$x^2$亿元", "C:\\path", "a\\$b"):
        assert s in texts
        _, is_math = texts[s]._preprocess_math(s)  # type: ignore[attr-defined]
        assert is_math is False
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    # mathtext would typeset x² narrower than the nine literal characters
    assert texts["$x^2$"].get_window_extent(renderer).width > 4 * THEME.chart.font_size


# --- glyph coverage ----------------------------------------------------------------------


def test_missing_glyphs_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    chart = _one_bar("电子信息😀")
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        out = render_both(chart, THEME)
    assert len(out.warnings) == 1 and "U+1F600" in out.warnings[0]
    assert "U+1F600" in caplog.text
    with pytest.raises(FontError, match="U\\+1F600"):
        render_both(chart, THEME, strict=True)


def test_missing_glyphs_ignores_spaces_and_controls() -> None:
    font = find_font(THEME.fonts.chart)
    assert missing_glyphs("高新区 \t\n\u200b2023年", font) == set()
    assert missing_glyphs("😀", font) == {"😀"}


# --- cache -------------------------------------------------------------------------------


def test_cache_hit_does_not_redraw(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    before = charts.RENDER_COUNT
    first = cache.get(bar(), THEME)
    assert before + 1 == charts.RENDER_COUNT
    second = cache.get(bar(), THEME)
    assert before + 1 == charts.RENDER_COUNT
    assert second == first
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".png", ".svg"]


def test_cache_draws_only_the_drawings_asked_for_and_adds_the_others_later(
    tmp_path: Path,
) -> None:
    together = render_both(combo(), THEME)
    cache = ChartCache(tmp_path)
    pdf = cache.get_all([combo()], THEME, kinds={combo().id: {"pdf_svg"}})[combo().id]
    assert (pdf.png, pdf.svg, pdf.pdf_svg) == (b"", b"", together.pdf_svg)
    assert (pdf.width_cm, pdf.height_cm, pdf.alt) == (
        together.width_cm,
        together.height_cm,
        together.alt,
    )
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json"]
    before = charts.RENDER_COUNT
    web = cache.get_all([combo()], THEME, kinds={combo().id: {"svg"}})[combo().id]
    assert (web.svg, web.png) == (together.svg, b"")
    assert before + 1 == charts.RENDER_COUNT  # drawn again, keeping the PDF's drawing too
    every = cache.get(combo(), THEME)
    assert before + 2 == charts.RENDER_COUNT
    assert every == together
    cache.get_all([combo()], THEME, kinds={combo().id: {"pdf_svg", "svg"}})
    assert before + 2 == charts.RENDER_COUNT


@pytest.mark.parametrize("name", list(SAMPLES), ids=list(SAMPLES))
def test_a_chart_drawn_without_its_png_has_the_same_svgs_size_and_warnings(name: str) -> None:
    every = charts._render(SAMPLES[name](), THEME, None)
    svg_only = charts._render(SAMPLES[name](), THEME, None, {"svg", "pdf_svg"})
    assert svg_only == dataclasses.replace(every, png=b"")


def test_cache_key_follows_data_and_theme(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    base = cache.key(bar(), THEME)
    assert cache.key(bar(), Theme()) == base
    assert cache.key(bar_negative(), THEME) != base
    red = THEME.model_copy(
        update={"colors": THEME.colors.model_copy(update={"primary": "#FF0000"})}
    )
    assert cache.key(bar(), red) != base
    wider = THEME.model_copy(update={"chart": THEME.chart.model_copy(update={"width_cm": 12})})
    assert cache.key(bar(), wider) != base


def test_cache_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ChartCache(tmp_path)

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="disk full"):
        cache.get(grouped_bar(), THEME)
    assert list(tmp_path.iterdir()) == []  # no half-written entry, no temp file left
    monkeypatch.undo()
    cache.get(grouped_bar(), THEME)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cache_keeps_font_warnings(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    chart = _one_bar("😀")
    assert cache.get(chart, THEME).warnings
    with pytest.raises(FontError):
        cache.get(chart, THEME, strict=True)


def test_importing_charts_does_not_import_matplotlib() -> None:
    code = "import sys, khzreport.charts; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cache_hit_needs_no_matplotlib(tmp_path: Path) -> None:
    ChartCache(tmp_path).get(_one_bar("电子信息"), THEME)
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from khzreport.charts import ChartCache
        from khzreport.document import ChartData, ChartPoint, ChartSeries
        from khzreport.theme import Theme
        point = ChartPoint("电子信息", 742.0, "突破740亿元")
        chart = ChartData(id="one", kind="bar", title="一", categories=("电子信息",),
                          series=(ChartSeries(None, (point,), "亿元"),), unit_line="单位：亿元")
        ChartCache(Path({str(tmp_path)!r})).get(chart, Theme())
        assert "matplotlib" not in sys.modules, "cache hit imported matplotlib"
    """)
    env = {k: v for k, v in os.environ.items() if k != FONT_DIRS_ENV}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- fonts -------------------------------------------------------------------------------


def test_font_is_found_by_file_with_chinese_glyphs() -> None:
    font = find_font(THEME.fonts.chart)
    assert font.path.is_file()
    assert missing_glyphs("昆山高新区突破亿元第名", font) == set()


def test_no_cjk_font_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path))
    with pytest.raises(FontError) as info:
        find_font(THEME.fonts.chart)
    message = str(info.value)
    assert "fonts-noto-cjk" in message and "Noto Sans CJK SC" in message
    assert "fonts.files" in message
    with pytest.raises(FontError, match="fonts-noto-cjk"):
        render_both(bar(), THEME)


def test_font_dirs_override_is_the_only_place_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = find_font(THEME.fonts.chart)
    monkeypatch.setenv(FONT_DIRS_ENV, str(system.path.parent))
    font = find_font(["No Such Family"])
    assert font.path.parent == system.path.parent


def test_theme_font_file_comes_first() -> None:
    system = find_font(THEME.fonts.chart)
    serif = [p for p in system.path.parent.iterdir() if "Serif" in p.name and "Regular" in p.name]
    if not serif:
        pytest.skip("no second CJK font file installed")
    chosen = find_font(THEME.fonts.chart, serif)
    assert chosen.path == serif[0]
    assert missing_glyphs("高新区", chosen) == set()
    assert isinstance(chosen, FontFile)


# --- text helpers ------------------------------------------------------------------------


def test_alt_text_lists_every_category() -> None:
    assert alt_text(bar()) == (
        "图表：主导产业集群规模。电子信息 突破740亿元；高端装备 突破500亿元；新材料 近140亿元；"
        "生物医药 超60亿元；新能源 数据缺失"
    )
    assert alt_text(grouped_bar()).count("：") == 3  # title, then one per named series


def test_wrap_balances_lines_and_respects_punctuation() -> None:
    assert wrap("规上工业增加值", 6) == "规上工业\n增加值"
    assert wrap("电子信息", 6) == "电子信息"
    assert wrap("专精特新“小巨人”企业", 10) == "专精特新\n“小巨人”企业"
    assert not any(
        line.startswith(("，", "）")) for line in wrap("高新技术企业（家），其他", 4).split("\n")
    )
    assert wrap("Foxconn Industrial", 6) == "Foxconn\nIndustrial"


def test_labels_break_at_word_boundaries_never_inside_a_latin_word() -> None:
    assert wrap("国家级 专精特新小巨人", 6) == "国家级\n专精特新小巨人"
    assert wrap("11月30日 首块叠层组件", 6) == "11月30日\n首块叠层组件"
    assert wrap("昆山双创人才（团队）", 6) == "昆山双创人才\n（团队）"
    assert wrap("强企培育·成长型", 6) == "强企培育·\n成长型"
    english = wrap("Kunshan innovation and entrepreneurship programme", 10)
    words = ["Kunshan", "innovation", "and", "entrepreneurship", "programme"]
    assert english.replace("\n", " ").split() == words  # every break between two words


def test_ticks_reach_past_the_longest_bar() -> None:
    for make in (grouped_bar, bar, ranking_values):
        fig = draw(make(), THEME)
        ax = fig.axes[0]
        bars = [p for p in ax.patches if p.get_visible()]
        horizontal = make is ranking_values
        longest = max(p.get_width() if horizontal else p.get_height() for p in bars)
        axis = ax.xaxis if horizontal else ax.yaxis
        assert max(axis.get_majorticklocs()) >= longest, make.__name__


def test_horizontal_charts_are_as_tall_as_their_rows() -> None:
    many = ChartData(
        "many", "ranking", "企业", (),
        (_s(None, "家", [(f"企业{i}", float(i + 1), f"{i + 1}家") for i in range(12)]),),
    )  # fmt: skip
    few = ChartData(
        "few", "ranking", "企业", (), (_s(None, "家", [("甲", 3.0, "3家"), ("乙", 4.0, "4家")]),)
    )
    tall, short = (draw(c, THEME).get_size_inches()[1] for c in (many, few))
    assert short < THEME.chart.width_cm * THEME.chart.aspect / 2.54 < tall


def test_strip_unit_keeps_ranks() -> None:
    assert strip_unit("近140亿元", "亿元") == "近140"
    assert strip_unit("140多家", "家") == "140多"
    assert strip_unit("第32名", "名") == "第32名"
    assert strip_unit("68.5%", "%") == "68.5"


# --- golden dumps ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SAMPLES))
def test_golden_dump(name: str, update_golden: bool) -> None:
    dump = _dump(draw(SAMPLES[name](), THEME))
    path = GOLDEN / f"{name}.json"
    text = _golden_text(dump)
    if update_golden or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file {path.name} was missing and has been written; rerun")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


# --- helpers -----------------------------------------------------------------------------


def _strings(fig: Any) -> list[str]:
    return [t.get_text() for t in visible_texts(fig)]


def _golden_text(dump: dict[str, Any]) -> str:
    """Return a dump as JSON with one drawn element per line, so diffs read well."""

    def one(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    out = ["{", f' "size_cm": {one(dump["size_cm"])},', ' "texts": [']
    out.append(",\n".join("  " + one(t) for t in dump["texts"]))
    out += [" ],", ' "axes": [']
    blocks = []
    for ax in dump["axes"]:
        inner = [f'  {{"xlim": {one(ax["xlim"])}, "ylim": {one(ax["ylim"])},', '   "shapes": [']
        inner.append(",\n".join("    " + one(x) for x in ax["shapes"]))
        inner += ["   ],", '   "lines": [']
        inner.append(",\n".join("    " + one(x) for x in ax["lines"]))
        inner.append("   ]}")
        blocks.append("\n".join(inner))
    out.append(",\n".join(blocks))
    out += [" ]", "}"]
    return "\n".join(out) + "\n"


def _png_info(png: bytes) -> tuple[int, int, float]:
    """Return width, height and dpi (from the pHYs chunk) of a PNG."""
    width, height = struct.unpack(">II", png[16:24])
    pos, dpi = 8, 0.0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"pHYs":
            ppu_x, _, unit = struct.unpack(">IIB", png[pos + 8 : pos + 17])
            dpi = ppu_x * 0.0254 if unit == 1 else 0.0
        pos += 12 + length
    return width, height, dpi


def _dump(fig: Any) -> dict[str, Any]:
    """Return what a figure draws as plain data: size, texts, bars, wedges and lines."""
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle, Wedge

    renderer = fig.canvas.get_renderer()
    pt = 72 / fig.dpi

    def r(v: float, nd: int = 2) -> float | None:
        return None if v is None or math.isnan(v) else round(float(v), nd)

    texts = []
    for t in visible_texts(fig):
        box = t.get_window_extent(renderer)
        texts.append({
            "text": t.get_text(),
            "x": round(box.x0 * pt), "y": round(box.y0 * pt),
            "w": round(box.width * pt), "h": round(box.height * pt),
            "size": r(t.get_fontsize(), 1), "color": to_hex(t.get_color()),
        })  # fmt: skip
    axes = []
    for ax in fig.axes:
        shapes: list[dict[str, Any]] = []
        for p in ax.patches:
            if isinstance(p, Rectangle):
                shapes.append({
                    "bar": [r(p.get_x()), r(p.get_y()), r(p.get_width()), r(p.get_height())],
                    "color": to_hex(p.get_facecolor()),
                })  # fmt: skip
            elif isinstance(p, Wedge):
                shapes.append(
                    {"wedge": [r(p.theta1), r(p.theta2)], "color": to_hex(p.get_facecolor())}
                )
        lines = [
            {
                "x": [r(v) for v in line.get_xdata()],
                "y": [r(v) for v in line.get_ydata()],
                "color": to_hex(line.get_color()),
            }
            for line in ax.lines
        ]
        axes.append({
            "xlim": [r(v) for v in ax.get_xlim()], "ylim": [r(v) for v in ax.get_ylim()],
            "shapes": shapes, "lines": lines,
        })  # fmt: skip
    w, h = fig.get_size_inches()
    return {"size_cm": [r(w * 2.54), r(h * 2.54)], "texts": texts, "axes": axes}
