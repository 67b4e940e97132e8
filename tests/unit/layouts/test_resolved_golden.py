"""Golden files of the resolved document: what every writer is given, as readable JSON.

The example briefing (Chinese and English) and two park sheets are resolved and dumped with
:func:`khzreport.document.to_plain`; a change in binding, numbering, wording or a layout
decision shows up here as a reviewable diff before it shows up in three formats. Regenerate
after an intended change with ``pytest tests/unit/layouts --update-golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import khzreport
from khzreport.api import resolve
from khzreport.document import to_plain
from khzreport.errors import display_path

GOLDEN = Path(__file__).parents[2] / "golden" / "resolved"
EXAMPLE = Path(__file__).parents[3] / "examples" / "kunshan-2023" / "report.yaml"
CASES = {
    "briefing": {},
    "briefing-en": {"language": "en"},
    "sheet-haokang_centre": {"park": "haokang_centre"},
    "sheet-robotics_park": {"park": "robotics_park"},
}


@pytest.fixture(scope="module")
def report() -> khzreport.Report:
    return khzreport.load(EXAMPLE)


def _portable(value: Any, folders: list[str]) -> Any:
    """Return the dump with the source folder written as ``<source>`` (paths differ per clone).

    ``folders`` are its spellings, longest first: absolute (image paths) and as shown in
    diagnostics (relative to the working folder when the tests run inside the clone).
    """
    if isinstance(value, str):
        for folder in folders:
            value = value.replace(folder, "<source>")
        return value
    if isinstance(value, list):
        return [_portable(v, folders) for v in value]
    if isinstance(value, dict):
        return {k: _portable(v, folders) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name", list(CASES))
def test_resolved_document_matches_golden(
    report: khzreport.Report, name: str, update_golden: bool
) -> None:
    document = resolve(report, **CASES[name])
    folder = EXAMPLE.parent
    dump = _portable(to_plain(document), [str(folder), str(display_path(folder))])
    dump.pop("theme", None)  # the theme has golden coverage of its own through the writers
    text = json.dumps(dump, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path = GOLDEN / f"{name}.json"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run pytest with --update-golden"
    assert text == path.read_text(encoding="utf-8")
