"""Story 1: change one figure of the example and build, the original left as it was."""

from __future__ import annotations

from pathlib import Path

import khzreport

SOURCE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"

report = khzreport.load(SOURCE)
changed = report.with_values({"cluster_electronics": 800})  # validated, same source folder

before = khzreport.render(report, "html").decode("utf-8")
after = khzreport.render(changed, "html").decode("utf-8")
again = khzreport.render(report, "html").decode("utf-8")

assert "740亿元" in before and "800亿元" in after and "740亿元" not in after
assert again == before
assert changed.indicator("cluster_electronics").value == 800
assert report.indicator("cluster_electronics").value == 740
print("changed:", changed.indicator("cluster_electronics").value)
