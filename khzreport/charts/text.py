"""Text helpers for charts that need no matplotlib: wrapping, unit stripping, notes.

Kept apart from the drawing code so that notes and cache keys can be computed (and tested)
without importing matplotlib. Alt text is :func:`khzreport.resolver.alt.alt_text`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..document import ChartData, ChartSeries
from ..resolver.alt import ALT_STRINGS

_WORD = re.compile(r"“[^”\n]{1,6}”|《[^》\n]{1,8}》|[A-Za-z0-9.,%+\-−/&'’]+|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’%‰·…—,.;:?!)]}")
_NO_LINE_END = set("（《「『【〔〈“‘([{")

STRINGS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "missing": ALT_STRINGS["zh-CN"]["missing"],
        "missing_note": "{what}数据缺失",
        "note": "注：",
        "sep": "；",
        "share": "{label}（{pct}%）",
        "negative_note": "{what}为负值，未计入占比",
    },
    "en": {
        "missing": ALT_STRINGS["en"]["missing"],
        "missing_note": "no data for {what}",
        "note": "Note: ",
        "sep": "; ",
        "share": "{label} ({pct}%)",
        "negative_note": "{what} is negative and not shown as a share",
    },
}


def strings(language: str) -> dict[str, str]:
    """Return the generated chart texts for a language (``zh-CN`` unless it is English)."""
    return STRINGS["en"] if language.lower().startswith("en") else STRINGS["zh-CN"]


def char_width(ch: str) -> float:
    """Return the width of a character in ems: 1 for wide (CJK) characters, about half else."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.55


def text_width(text: str) -> float:
    """Return the width of the longest line of ``text`` in ems."""
    return max((sum(char_width(c) for c in line) for line in text.split("\n")), default=0.0)


def wrap(text: str, width: float) -> str:
    """Return ``text`` broken into balanced lines of at most ``width`` ems.

    A Chinese label with marked word boundaries (a space, ·, 、 or /) breaks only there when
    its pieces fit. Otherwise breaks fall between Chinese characters, never inside a Latin
    word or a number, never before closing punctuation and never after opening punctuation
    (the Chinese line-breaking rules every report reader expects). Lines are balanced, so ``规上工业增加值`` becomes
    ``规上工业/增加值`` rather than leaving one character alone on the last line.
    """
    out: list[str] = []
    for para in text.split("\n"):
        marked = _at_marks(para, width)
        if marked is not None:
            out.extend(marked)
            continue
        lines = _greedy(para, width)
        if len(lines) > 1:
            target = text_width(para) / len(lines)
            step = 0.25
            trial = max(target, 1.0)
            while trial < width:
                balanced = _greedy(para, trial)
                if len(balanced) <= len(lines):
                    lines = balanced
                    break
                trial += step
        out.extend(lines)
    return "\n".join(out)


def wrap_categories(labels: Sequence[str], slot_ems: float) -> tuple[list[str], bool]:
    """Return category labels wrapped at about six characters, and whether they fit.

    ``slot_ems`` is the width of one category's slot in ems. A bar chart whose names do not
    fit under their bars turns horizontal; the drawings and Word's native charts decide it
    here, the same way.
    """
    room = slot_ems * 0.92
    width = min(6.0, room)
    wrapped = [wrap(lb, max(width, 1.0)) for lb in labels]
    fits = width >= 2.0 and all(lb.count("\n") < 2 and text_width(lb) <= room for lb in wrapped)
    return wrapped, fits


_MARKS = re.compile(r"(?<=[·、／/])|(?=[（(])|\s+")
_MARK_SLACK = 1.25
"""A marked piece may be this much wider than the width asked: a whole word beats a split one."""
_CJK = re.compile(r"[\u3400-\u9fff]")


def _at_marks(para: str, width: float) -> list[str] | None:
    """Return a Chinese label broken only where its writer marked a word boundary, if it fits.

    Chinese has no spaces between words, so a break between any two characters may split a
    word (专精/特新); a space, ·, 、 or / in a Chinese label marks where it may break
    (``11月30日 首块叠层`` → ``11月30日`` / ``首块叠层``), and so does an opening bracket
    (``昆山双创人才`` / ``（团队）``). None when there is no mark or a piece is wider than
    ``width`` by more than a quarter.
    """
    if not _CJK.search(para) or text_width(para) <= width:
        return None
    pieces = [p for p in _MARKS.split(para) if p]
    width *= _MARK_SLACK
    if len(pieces) < 2 or any(text_width(p) > width for p in pieces):
        return None
    lines: list[str] = []
    for piece in pieces:
        joined = (
            f"{lines[-1]} {piece}"
            if lines and not lines[-1].endswith(tuple("·、／/"))
            else (lines[-1] + piece if lines else piece)
        )
        if lines and text_width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(piece)
    return lines


VALUE_LABEL_SCALE = 0.92
"""Value labels are drawn at this share of the chart font size (0.8 when that is too wide)."""


def value_labels(
    chart: ChartData, series: Sequence[ChartSeries], slot_ems: float
) -> tuple[list[list[str]], float, bool]:
    """Return the value labels of some series, their font scale and whether they are crowded.

    Tries the printed labels, then the labels without the unit the unit line already shows
    (``近140亿元`` → ``近140``), then a smaller size. Labels that still do not fit their slot
    (``slot_ems`` wide) are crowded and come back wrapped as narrow as the slot. A label is
    never turned on its side: a crowded single-series bar chart turns horizontal instead
    (:func:`horizontal_bars`).
    """
    full = [[p.label for p in s.points] for s in series]
    short = [
        [strip_unit(p.label, s.unit) if chart.unit_line else p.label for p in s.points]
        for s in series
    ]
    for texts, scale in ((full, VALUE_LABEL_SCALE), (short, VALUE_LABEL_SCALE), (short, 0.8)):
        if all(text_width(t) * scale <= slot_ems * 0.92 for row in texts for t in row):
            return texts, scale, False
    room = max(slot_ems * 0.92 / 0.8, 2.0)
    return [[wrap(t, room) for t in row] for row in short], 0.8, True


def horizontal_bars(chart: ChartData, slot_ems: float) -> bool:
    """Return whether a ``bar`` chart is drawn with horizontal bars, in every format.

    It is when its category names cannot be wrapped under their bars or its value labels do
    not fit above them; ``slot_ems`` is the width of one category's slot in ems.
    """
    if chart.kind != "bar":
        return False
    series = [s for s in chart.series if s.points]
    return (
        not wrap_categories(chart.categories, slot_ems)[1]
        or value_labels(chart, series[:1], slot_ems)[2]
    )


def _greedy(para: str, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _WORD.findall(para):
        if not line and token.isspace():
            continue
        if line and text_width(line + token.rstrip()) > width and not token.isspace():
            if token[0] in _NO_LINE_START:
                line += token
                continue
            carry = ""
            while line and line[-1] in _NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            if line.strip():
                lines.append(line.rstrip())
            line = carry + token
        else:
            line += token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


MAX_LABEL_EMS = 30.0
"""The widest category or series name a chart draws; the resolver shortens names to less and
warns (a name past this reaches the drawing only from a hand-made ChartData)."""


def shorten(text: str, ems: float = MAX_LABEL_EMS) -> str:
    """Return ``text`` cut with … to at most ``ems`` wide, so no name can crowd out a plot."""
    if text_width(text) <= ems:
        return text
    cut = ""
    for ch in text:
        if text_width(cut + ch) > ems - 1:
            break
        cut += ch
    return cut.rstrip() + "…"


def strip_unit(label: str, unit: str) -> str:
    """Return ``label`` without a trailing ``unit`` (``近140亿元`` → ``近140``) when safe.

    Axis charts print the unit once in the unit line; dropping it from crowded bar labels
    keeps them inside their slot. Only a unit after a digit or a qualifier (``140多家``) is
    dropped, so ranks such as ``第32名`` keep their meaning.
    """
    if not unit or not label.endswith(unit) or label.startswith("第"):
        return label
    rest = label[: -len(unit)].rstrip()
    if rest and (rest[-1].isdigit() or rest[-1] in "多余"):
        return rest
    return label


def is_rank(series: ChartSeries) -> bool:
    """Return whether a series holds ranks (第32名), where a smaller number is better."""
    if series.unit.strip() in ("名", "位", "rank"):
        return True
    labels = [p.label for p in series.points if p.value is not None]
    return bool(labels) and all(re.fullmatch(r"第\s*\d+\s*[名位]", lb) for lb in labels)


def missing_notes(chart: ChartData) -> list[str]:
    """Return the chart's notes plus one for every missing value no note mentions yet."""
    s = strings(chart.language)
    notes = [n for n in chart.notes if n.strip()]
    all_series = [*chart.series, *([chart.secondary] if chart.secondary else [])]
    named = len([x for x in all_series if x.points]) > 1
    for series in all_series:
        for point in series.points:
            if point.value is not None or any(point.category in n for n in notes):
                continue
            what = f"{series.name or ''}{point.category}" if named else point.category
            if s is STRINGS["en"] and named and series.name:
                what = f"{series.name}, {point.category}"
            notes.append(s["missing_note"].format(what=what))
    return notes


def note_line(notes: list[str], language: str) -> str:
    """Return the notes as one line starting with 注： (or ``Note:``)."""
    if not notes:
        return ""
    s = strings(language)
    body = s["sep"].join(n.rstrip("。；;. ") for n in notes)
    if body.startswith(("注", "Note")):
        return body
    return s["note"] + body
