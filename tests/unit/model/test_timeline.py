"""The timeline block's model: dates to the day, month or year; located errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from khzreport.model.blocks import Timeline
from tests.support.timeline import line_of, timeline_source


def _timeline(*dates: object) -> Timeline:
    return Timeline.model_validate(
        {
            "timeline": [
                {"date": d, "text": "事件", "park": "p" if k else None} for k, d in enumerate(dates)
            ]
        }
    )


def test_dates_are_kept_to_the_day_the_month_or_the_year() -> None:
    import datetime as dt

    block = _timeline(dt.date(2023, 8, 22), "2023-8", 2023, "2023-11-3")
    assert [e.date for e in block.timeline] == ["2023-08-22", "2023-08", "2023", "2023-11-03"]
    assert [e.period for e in block.timeline] == ["2023-08-22", "2023-08", 2023, "2023-11-03"]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2023-13", "has no month 13"),
        ("2023-02-30", "is not a day of the calendar"),
        ("23-08", "expected a date like 2023-08-22"),
        ("八月", "expected a date like 2023-08-22"),
        (1800, "outside 1900"),
        (True, "expected a date like 2023-08-22"),
    ],
)
def test_bad_dates_are_refused(date: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _timeline(date)


def test_at_least_one_event() -> None:
    with pytest.raises(ValidationError):
        Timeline.model_validate({"timeline": []})


def test_references_texts_and_a_parks_part_keep_source_positions() -> None:
    block = _timeline("2023-01", "2023-02", "2023-03")
    assert [r for r in block.references()] == [
        (("timeline", 1, "park"), "park", "p"),
        (("timeline", 2, "park"), "park", "p"),
    ]
    part = block.for_park("p")
    assert part is not None
    assert [e.date for e in part.timeline] == ["2023-02", "2023-03"]
    assert [path for path, _, _ in part.texts()] == [
        ("timeline", 1, "text"),
        ("timeline", 2, "text"),
    ]
    assert part.title == "大事记" and part.title_en == "Milestones"
    assert block.for_park("other") is None


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "khzreport", "validate", str(path)], capture_output=True, text=True
    )


def test_cli_accepts_a_timeline(tmp_path: Path) -> None:
    result = _validate(timeline_source(tmp_path))
    assert result.returncode == 0, result.stderr


def test_cli_locates_a_bad_month(tmp_path: Path) -> None:
    path = timeline_source(tmp_path, month='"2023-13"')
    result = _validate(path)
    assert result.returncode == 2
    assert f"report.yaml:{line_of(path, '2023-13')}:" in result.stderr
    assert "timeline[1].date" in result.stderr
    assert "has no month 13" in result.stderr


def test_cli_locates_an_unknown_park(tmp_path: Path) -> None:
    path = timeline_source(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("park: park_a", "park: park_b"))
    result = _validate(path)
    assert result.returncode == 2
    assert f"report.yaml:{line_of(path, 'park: park_b')}:" in result.stderr
    assert "unknown park 'park_b'" in result.stderr
