"""A figure never breaks between its number and its unit, in Chinese or in English."""

from __future__ import annotations

import pytest

from khzreport.writers.base import unbreakable_figure

NB, WJ = "\u00a0", "\u2060"


@pytest.mark.parametrize(
    ("text", "glued"),
    [
        ("over RMB 74 billion", f"over RMB{NB}74{NB}billion"),
        ("RMB 935.74 billion", f"RMB{NB}935.74{NB}billion"),
        ("164 zones", f"164{NB}zones"),
        ("1,700 firms", f"1,700{NB}firms"),
        ("No. 32", f"No.{NB}32"),
        (
            "more than 70 national, provincial and ministerial projects",
            f"more than 70{NB}national, provincial and ministerial projects",
        ),
        ("68.5%", "68.5%"),
        ("up 6.38% year on year", "up 6.38% year on year"),
        ("突破740亿元", f"突{WJ}破{WJ}740{WJ}亿{WJ}元"),
        ("140多家", f"140{WJ}多{WJ}家"),
    ],
)
def test_a_figure_is_glued_where_a_line_could_break(text: str, glued: str) -> None:
    assert unbreakable_figure(text) == glued
