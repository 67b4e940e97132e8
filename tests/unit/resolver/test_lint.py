"""``khzreport lint``: typed numbers in prose and data that contradict itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khzreport import api

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"


def source_with(tmp_path: Path, old: str, new: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "report.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def findings(path: Path) -> list[str]:
    return [e.one_line() for e in api.lint(api.load(path))]


def test_minimal_source_is_clean() -> None:
    assert findings(MINIMAL) == []


@pytest.mark.parametrize(
    "prose",
    ["2023年", "2023年8月22日", "12月", "“2+2+3”产业体系", "“4+2+X”", "5G基站", "EPC工程", "H100"],
)
def test_allowed_literals(tmp_path: Path, prose: str) -> None:
    path = source_with(tmp_path, "高新技术企业达", f"{prose}，高新技术企业达")
    assert findings(path) == []


@pytest.mark.parametrize("prose", ["305个项目", "近140亿元", "68.5%", "第32名", "１２家", "94米"])
def test_typed_numbers_are_reported_with_location(tmp_path: Path, prose: str) -> None:
    path = source_with(tmp_path, "高新技术企业达", f"{prose}，高新技术企业达")
    [finding] = findings(path)
    assert re.search(r"report\.yaml:3[67]: ", finding), finding  # the paragraph's lines
    assert "sections[0].blocks[0].paragraph" in finding
    assert "number typed into prose" in finding
    assert "{{ ind.ID }}" in finding


def test_a_footnote_label_is_not_a_figure_but_its_text_is_prose(tmp_path: Path) -> None:
    path = source_with(tmp_path, "高新技术企业达", "企业数[^1]，高新技术企业达")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "      - chart: scale\n",
            "      - paragraph: '[^1]: 含305家新认定企业。'\n      - chart: scale\n",
        ),
        encoding="utf-8",
    )
    [finding] = findings(path)
    assert "'305'" in finding and "blocks[1].paragraph" in finding


def test_parts_above_total(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "charts:\n",
        "  - id: part_a\n    label: A\n    value: 900\n    unit: 家\n    parts_of: firms\n"
        "  - id: part_b\n    label: B\n    value: 100\n    unit: 家\n    parts_of: firms\n"
        "charts:\n",
    )
    [finding] = findings(path)
    assert "add up to 1000, more than its value 820" in finding
    assert "indicators[3].parts_of" in finding


def test_series_with_missing_year(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "charts:\n",
        "  - id: trend\n    label: T\n    unit: 亿元\n    series: {2019: 1, 2020: 2, 2022: 3}\n"
        "charts:\n",
    )
    [finding] = findings(path)
    assert "no entry for 2021" in finding


def test_share_larger_than_whole(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "    value: 820\n    unit: 家\n",
        "    value: 820\n    unit: 亿元\n    share_of: output\n    parts_of: output\n",
    )
    text = path.read_text(encoding="utf-8").replace("    value: 1234.5\n", "    value: 800\n")
    path.write_text(text, encoding="utf-8")
    out = findings(path)
    assert any("larger than the whole 'output'" in f for f in out)


@pytest.mark.parametrize(
    ("prose", "words"),
    [
        ("五百二十三家企业", "五百二十三家"),
        ("占三分之二", "三分之二"),
        ("百分之十二的企业", "百分之十二"),
    ],
)
def test_figures_written_in_chinese_numerals_are_found(
    tmp_path: Path, prose: str, words: str
) -> None:
    path = source_with(tmp_path, "高新技术企业达", f"{prose}，高新技术企业达")
    [finding] = findings(path)
    assert f"figure written in words: '{words}'" in finding
    assert "sections[0].blocks[0].paragraph" in finding


@pytest.mark.parametrize(
    "prose", ["一批企业", "两大产业", "千家万户", "第二名", "一半", "“十四五”"]
)
def test_chinese_words_that_carry_no_figure_are_not_found(tmp_path: Path, prose: str) -> None:
    path = source_with(tmp_path, "高新技术企业达", f"{prose}，高新技术企业达")
    assert findings(path) == []


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("    title: 经济运行\n", "    title: 经济运行32项\n", "sections[0].title"),
        ("    subtitle: 稳中有进\n", "    subtitle: 稳中有进二十三项\n", "sections[0].subtitle"),
        ("    title: 主要指标\n", "    title: 主要指标12项\n", "charts[0].title"),
        (
            "    indicators: [firms]\n",
            "    indicators: [firms]\n    positioning: 集聚164家企业\n",
            "parks[0].positioning",
        ),
        (
            "    indicators: [firms]\n",
            "    indicators: [firms]\n    leading_industries: [120家企业]\n",
            "parks[0].leading_industries[0]",
        ),
    ],
)
def test_figures_in_titles_positioning_lines_and_tags_are_found(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    [finding] = findings(source_with(tmp_path, old, new))
    assert where in finding


def test_a_previous_rank_outside_its_list_is_found(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "rank: {position: 32, previous: 35,",
        "rank: {position: 32, previous: 190, of: 178,",
    )
    [finding] = findings(path)
    assert "the previous rank 190 is outside a list of 178" in finding
    assert "indicators[2].rank.previous" in finding


def test_strict_build_fails_on_lint_findings(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from khzreport.cli import main

    path = source_with(tmp_path, "高新技术企业达", "305个项目，高新技术企业达")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(path), "-o", str(out), "-f", "html", "--strict"]
    )
    assert result.exit_code == 2
    assert "number typed into prose: '305'" in result.stderr
    assert not out.exists()
    lenient = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "-f", "html"])
    assert lenient.exit_code == 0, lenient.stderr
