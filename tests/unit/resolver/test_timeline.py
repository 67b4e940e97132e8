"""Resolving a timeline: bound numbers in event text, dates in each edition's style."""

from __future__ import annotations

from pathlib import Path

import khzreport
from khzreport.api import resolve
from khzreport.document import Timeline
from tests.support.timeline import timeline_source


def _timeline(document: khzreport.Document) -> Timeline:
    return next(b for b in document.blocks if isinstance(b, Timeline))


def test_event_text_is_bound_and_dates_print_in_chinese(tmp_path: Path) -> None:
    block = _timeline(resolve(khzreport.load(timeline_source(tmp_path))))
    assert block.title == "大事记"
    assert [e.date_text for e in block.events] == ["2023年8月22日", "2023年11月", "2023年"]
    assert [e.tag for e in block.events] == ["载体建设", None, None]
    bound = [r for r in block.events[1].runs if r.indicator]
    assert [r.indicator for r in bound] == ["output"]
    assert block.events[1].text == f"全区规上工业总产值{bound[0].text}。"
    assert "820" in block.events[0].text


def test_english_edition_dates_texts_and_tags(tmp_path: Path) -> None:
    block = _timeline(resolve(khzreport.load(timeline_source(tmp_path)), language="en"))
    assert block.title == "Milestones"
    assert [e.date_text for e in block.events] == ["22 August 2023", "November 2023", "2023"]
    assert block.events[0].tag == "Carriers"
    assert block.events[1].text.startswith("Industrial output reached ")
    assert any(r.indicator == "output" for r in block.events[1].runs)


def test_a_parks_sheet_shows_only_its_events(tmp_path: Path) -> None:
    sheet = resolve(khzreport.load(timeline_source(tmp_path)), park="park_a")
    block = _timeline(sheet)
    assert [e.date_text for e in block.events] == ["2023年8月22日"]
    assert block.title == "大事记"
