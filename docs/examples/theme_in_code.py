"""Story 6: a custom theme from code: a preset with overrides, or settings with extends."""

from __future__ import annotations

from pathlib import Path

import khzreport
from khzreport.theme import Theme

SOURCE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
report = khzreport.load(SOURCE)

navy = Theme.preset("gov", colors={"primary": "#003366"})
assert navy.masthead and navy.colors.primary == "#003366"
html = khzreport.render(report, "html", theme=navy).decode("utf-8")
assert "#003366" in html

settings = {"extends": "briefing", "toc": False, "colors": {"accent": "#AA0000"}}
document = khzreport.resolve(report, theme=settings)
assert document.theme.colors.accent == "#AA0000" and not document.theme.toc

try:
    Theme.preset("gov", colors={"primary": "navy"})
except khzreport.ReportValidationError as exc:
    assert str(exc).startswith("theme.colors.primary: expected a colour as #RRGGBB")
print("themed:", navy.name)
