"""A park sheet lays itself out from what the park has: sparse, medium or rich."""

from __future__ import annotations

from khzreport.api import resolve
from khzreport.document import Callout, Facts, Figure, KpiPanel, Quote, Tags
from khzreport.layouts.sheet import (
    FILL_TARGET,
    block_height_mm,
    body_height_mm,
    sheet_plan,
    sheet_theme,
)
from khzreport.theme import Theme
from tests.support.parks import park_report


def test_a_park_with_a_name_and_a_kind_gets_the_compact_profile() -> None:
    report = park_report("sparse")
    plan = sheet_plan(report, report.park("p"), Theme())
    assert plan.density == "sparse"
    sheet = resolve(report, park="p")
    facts = next(b for b in sheet.blocks if isinstance(b, Facts))
    assert facts.columns == 1
    quote = next(b for b in sheet.blocks if isinstance(b, Quote))
    assert "示范产业园" in quote.text and "示范高新区2023年度发展简报" in quote.attribution
    zone = next(b for b in sheet.blocks if isinstance(b, Callout))
    assert zone.title == "所在园区概况" and "820家" in zone.text
    assert any(isinstance(b, KpiPanel) and b.title == "2023年全区主要指标" for b in sheet.blocks)
    related = [b for b in sheet.blocks if isinstance(b, Tags)]
    assert related and related[-1].items == ("样板产业园",)


def test_a_park_with_some_of_its_own_adds_the_zone_context_after_it() -> None:
    report = park_report("medium")
    plan = sheet_plan(report, report.park("p"), Theme())
    assert plan.density == "medium"
    assert plan.facts_columns == 2
    assert "zone:0" in plan.context
    sheet = resolve(report, park="p")
    kinds = [type(b).__name__ for b in sheet.blocks]
    assert kinds.index("Paragraph") < kinds.index("Callout")


def test_a_rich_park_keeps_its_page_and_its_chart_takes_the_room_left() -> None:
    report = park_report("rich")
    theme = Theme()
    plan = sheet_plan(report, report.park("p"), theme)
    assert plan.density == "rich"
    assert plan.context == ()
    assert plan.facts_columns == 2
    sheet = resolve(report, park="p")
    assert not any(isinstance(b, Callout) for b in sheet.blocks)
    assert next(b for b in sheet.blocks if isinstance(b, Facts)).columns == 2
    assert any(isinstance(b, Figure) for b in sheet.blocks)
    assert sheet.theme.chart.aspect == (plan.chart_aspect or theme.chart.aspect)


def test_no_density_fills_past_its_target() -> None:
    for density in ("sparse", "medium", "rich"):
        sheet = resolve(park_report(density), park="p")
        used = sum(block_height_mm(b, sheet.theme) for b in sheet.blocks)
        assert used <= body_height_mm(sheet.theme) * FILL_TARGET + 1, density


def test_figures_on_a_sheet_leave_their_source_to_the_one_source_line() -> None:
    sheet = resolve(park_report("rich"), park="p")
    assert all(b.source is None for b in sheet.blocks if isinstance(b, Figure))


def test_a_sheet_is_not_a_gov_page_and_has_no_page_number() -> None:
    gov = Theme.preset("gov")
    assert gov.text_grid is not None
    sheet = sheet_theme(gov)
    assert sheet.text_grid is None and sheet.page_number == "none"
    assert sheet.sizes.body == 10 and sheet.line_spacing <= 1.25
    assert sheet_theme(gov, 1.0).sizes.body == gov.sizes.body


def test_a_sheet_with_room_left_is_set_looser_but_still_fits() -> None:
    report = park_report("sparse")
    report = report.model_copy(update={"highlights": [], "kpis": report.kpis[:2]})
    plan = sheet_plan(report, report.park("p"), Theme())
    assert plan.ease > 0
    sheet = resolve(report, park="p")
    assert sheet.theme.sizes.body > 10
    used = sum(block_height_mm(b, sheet.theme) for b in sheet.blocks)
    assert used <= body_height_mm(sheet.theme) * FILL_TARGET + 1


def test_a_quoted_sentence_drops_its_references_to_the_briefings_tables() -> None:
    from khzreport.document import Run
    from khzreport.layouts.sheet import _without_references

    runs = (Run("占比68.5%（见"), Run("表1", target="table-1"), Run("）。下一句"))
    assert "".join(r.text for r in _without_references(runs)) == "占比68.5%。下一句"
    english = (Run("a record ("), Run("Table 2", target="table-2"), Run(")."))
    assert "".join(r.text for r in _without_references(english)) == "a record."


def test_a_zone_of_many_parks_names_eight_of_a_kind_and_counts_the_rest() -> None:
    report = park_report("sparse")
    parks = [report.park("p")] + [
        report.park("q").model_copy(update={"id": f"q{k}", "name": f"样板产业园{k}"})
        for k in range(40)
    ]
    report = report.model_copy(update={"parks": parks})
    sheet = resolve(report, park="p")
    related = [b for b in sheet.blocks if isinstance(b, Tags)][-1]
    assert related.items == (*(f"样板产业园{k}" for k in range(8)), "等40个")


def test_parks_that_share_a_name_are_named_once_and_never_beside_their_own_sheet() -> None:
    report = park_report("sparse")
    twin = report.park("p").model_copy(update={"id": "p2"})
    report = report.model_copy(update={"parks": [*report.parks, twin]})
    sheet = resolve(report, park="p")
    related = [b for b in sheet.blocks if isinstance(b, Tags)][-1]
    assert related.items == ("样板产业园",)
