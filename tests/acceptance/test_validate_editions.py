"""Plain ``validate`` checks every edition the source has: a limit only the English text
passes is refused at the English field, as ``build --language en`` would refuse it, and a
source without English is resolved once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from khzreport import api
from khzreport.errors import KhzReportError

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"
LONG = "Long title " * 30

CASES = {
    "title_en": (
        "  date: 2024-01-15\n",
        f"  date: 2024-01-15\n  title_en: {LONG}\n",
        "meta.title_en",
    ),
    "issuer_en": (
        "  date: 2024-01-15\n",
        f"  date: 2024-01-15\n  issuer_en: {LONG}\n",
        "meta.issuer_en",
    ),
    "name_en": (
        "    name: 示范产业园\n",
        f"    name: 示范产业园\n    name_en: {LONG}\n",
        "parks[0].name_en",
    ),
}


def source(tmp_path: Path, old: str, new: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "report.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_refuses_what_the_english_build_refuses(tmp_path: Path, case: str) -> None:
    old, new, field = CASES[case]
    path = source(tmp_path, old, new)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if LONG in text)
    run = subprocess.run(
        [sys.executable, "-m", "khzreport", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stdout
    assert f"report.yaml:{line}:" in run.stderr and f"{field}: " in run.stderr, run.stderr
    assert "more than the 255" in run.stderr and "Traceback" not in run.stderr
    built = subprocess.run(
        [sys.executable, "-m", "khzreport", "build", str(path), "-o", str(tmp_path / "out")]
        + (["--language", "en", "-f", "html"] if case != "name_en" else []),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if case != "name_en":  # the briefing refuses it; a park's name is the sheet's business
        assert built.returncode == 2 and f"{field}: " in built.stderr, built.stderr
    # The Chinese edition alone is fine: the English one is what fails.
    api.validate(api.load(path), language="zh-CN")
    with pytest.raises(KhzReportError, match="more than the 255"):
        api.validate(api.load(path))


def test_a_source_without_english_is_resolved_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    languages: list[str | None] = []

    def counting(compose: Any, where: int) -> Any:
        def composed(*args: object, **kwargs: object) -> object:
            languages.append(args[where])  # type: ignore[arg-type]
            return compose(*args, **kwargs)

        return composed

    # validate composes the briefing (report, theme, language) and each sheet (report,
    # park, theme, language) of every edition
    monkeypatch.setattr(api, "compose_briefing", counting(api.compose_briefing, 2))
    monkeypatch.setattr(api, "compose_sheet", counting(api.compose_sheet, 3))
    report = api.load(MINIMAL)
    api.validate(report)
    assert set(languages) == {"zh-CN"}
    languages.clear()
    api.validate(api.load(source(tmp_path, *CASES["title_en"][:2])), language="zh-CN")
    assert set(languages) == {"zh-CN"}


def test_a_park_area_with_no_english_unit_is_refused_at_the_park(tmp_path: Path) -> None:
    # the sheet's fact row formatted the area outside the composer's checks: an internal error
    path = source(tmp_path, "    kind: 产业园\n", "    kind: 产业园\n    area: park_area\n")
    text = path.read_text(encoding="utf-8").replace(
        "  - id: rank\n",
        "  - id: park_area\n    label: 面积\n    value: 30\n    unit: 坪\n  - id: rank\n",
    )
    path.write_text(text.replace("  date: 2024-01-15\n", "  date: 2024-01-15\n  title_en: Demo\n"))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "area: park_area" in t)
    expected = f"report.yaml:{line}:11: parks[0].area: indicator 'park_area': no English rendering"
    runs = {
        "validate": (["validate", str(path)], 2),
        "sheets": (["sheets", str(path), "-o", str(tmp_path / "out"), "--language", "en"], 1),
    }
    for name, (args, code) in runs.items():
        run = subprocess.run(
            [sys.executable, "-m", "khzreport", *args], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == code, (name, run.stdout, run.stderr)
        assert expected in run.stderr, (name, run.stderr)
        assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    api.validate(api.load(path), language="zh-CN")  # 坪 is fine in Chinese
