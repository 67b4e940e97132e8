"""A small source with a 大事记, built on the minimal fixture, for the timeline tests."""

from __future__ import annotations

from pathlib import Path

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"

TIMELINE = """\
      - timeline:
          - date: 2023-08-22
            text: 示范产业园研发大楼封顶，高新技术企业达{{ ind.firms }}。
            text_en: The park's research building was topped out; {{ ind.firms }} in all.
            tag: 载体建设
            tag_en: Carriers
            park: park_a
          - date: {month}
            text: 全区规上工业总产值{{ ind.output }}。
            text_en: Industrial output reached {{ ind.output }}.
          - date: 2023
            text: 全年新增一批重点项目。
            text_en: A number of key projects arrived during the year.
        title: 大事记
        title_en: Milestones
"""


def timeline_source(folder: Path, month: str = '"2023-11"') -> Path:
    """Write the minimal source with a timeline as its chapter's last block; return its path."""
    text = MINIMAL.read_text(encoding="utf-8")
    anchor = "      - kpi: [output, firms, rank]\n"
    assert anchor in text
    text = text.replace(anchor, anchor + TIMELINE.replace("{month}", month))
    path = folder / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """Return the 1-based line of the first line of ``path`` holding ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)
