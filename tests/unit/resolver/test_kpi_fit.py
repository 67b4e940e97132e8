"""KPI values never wrap: the layout moves unit words under the number, or takes fewer cards
a row, once for every format."""

from __future__ import annotations

from khzreport.document import KpiCard, KpiPanel
from khzreport.resolver.decisions import decide, kpi_fit
from khzreport.theme import Theme


def card(prefix: str, number: str, unit: str) -> KpiCard:
    text = " ".join(p for p in (prefix, number, unit) if p)
    return KpiCard("x", "label", prefix, number, "", unit, text)


def test_chinese_values_stay_on_one_line_four_a_row() -> None:
    cards = [card("突破", "740", "亿元"), card("", "68.5", "%"), card("", "305", "个")] * 2
    assert kpi_fit(cards[:4], Theme()) == (4, 1, False)


def test_a_wide_english_value_sets_every_unit_word_below_and_keeps_percent_beside() -> None:
    cards = (
        card("RMB", "12.33", "trillion"),
        card("", "68.5", "%"),
        card("", "305", "projects"),
        card("over USD", "500", "million"),
    )
    assert kpi_fit(cards, Theme()) == (4, 1, True)
    [panel] = decide([KpiPanel(cards)], Theme())
    assert isinstance(panel, KpiPanel)
    assert [c.unit_below for c in panel.cards] == [True, False, True, True]


def test_a_number_too_wide_even_alone_takes_fewer_cards_a_row() -> None:
    cards = [card("more than", "1,234,567,890", "firms")] * 4
    per_row, rows, below = kpi_fit(cards, Theme())
    assert (per_row, rows, below) == (2, 2, True)
