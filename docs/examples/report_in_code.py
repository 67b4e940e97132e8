"""Story 2: a whole report from Python objects and plain dicts, rendered in memory."""

from __future__ import annotations

import datetime as dt
import re

import khzreport
from khzreport.model import Indicator, Meta, Paragraph, Report, Section

report = Report(
    meta=Meta(
        id="demo_2023",
        title="示范园区2023年发展简报",
        issuer="示范园区管委会",
        year=2023,
        date=dt.date(2024, 1, 15),
    ),
    indicators=[
        Indicator(id="output", label="工业总产值", value=1234, unit="亿元", period=2023),
        Indicator(id="firms", label="高新技术企业", value=56, unit="家", period=2023),
    ],
    kpis=["output", "firms"],
    sections=[
        Section(
            id="overview",
            title="总体情况",
            blocks=[Paragraph(paragraph="全年实现工业总产值{{ ind.output }}，高新技术企业{{ ind.firms }}。")],
        )
    ],
)

html = khzreport.render(report, "html", cache=None).decode("utf-8")
text = re.sub(r"<[^>]+>", "", html)  # figures are wrapped in <span class="num">
assert "全年实现工业总产值1234亿元，高新技术企业56家。" in text
print("bound:", "1234亿元" in html)
