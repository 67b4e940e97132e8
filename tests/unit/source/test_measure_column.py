"""An indicator table may say which figures are stocks and which are flows (存量/流量)."""

from __future__ import annotations

from pathlib import Path

from khzreport.model import Indicator
from khzreport.source.spreadsheet import read_indicators


def test_the_measure_column_reads_chinese_and_english_words(tmp_path: Path) -> None:
    path = tmp_path / "indicators.csv"
    path.write_text(
        "指标代码,指标名称,数值,单位,存量流量\n"
        "hte,有效高新技术企业,820,家,存量\n"
        "gazelles,新增瞪羚企业,56,家,流量\n"
        "output,工业总产值,740,亿元,flow\n"
        "area,面积,27,亩,\n",
        encoding="utf-8",
    )
    rows = read_indicators(path, display_name=path.name)
    measures = {row["id"]: Indicator.model_validate(row).measure for row, _ in rows}
    assert measures == {"hte": "stock", "gazelles": "flow", "output": "flow", "area": None}
