"""Consistency checks beyond the schema: every quantity in prose must come from an indicator.

The rule for digits typed directly into narrative (outside ``{{ }}``): they are reported,
except where they are not quantities —

* a year followed by 年 (``2023年``), and the month and day of a date (``8月22日``);
* digits inside quotation marks, which name things (“2+2+3”产业体系, “4+2+X”);
* digits joined to Latin letters, which are names or models (5G, H100, EPC);
* a footnote's label (``[^1]``); the footnote's own text is prose and checked.

Figures written in Chinese numerals (五百二十三家, 三分之二, 百分之十二) are reported like typed
digits, and both checks cover titles, captions, positioning lines and tags as well as prose.

Checks on the data: parts marked ``parts_of`` do not add up to more than their total; a part
is not larger than the whole it is a ``share_of``; a previous rank lies within its list; a time
series has no missing years; the values of one chart share a unit. The chart advisor
(:mod:`khzreport.resolver.advisor`) adds warnings on charts that mislead and figures printed
too often.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ..errors import KhzReportError, Location, ValidationError
from ..locations import source_map
from ..model import Report
from .narrative import NarrativeError, literal_segments
from .numbers import to_decimal

if TYPE_CHECKING:
    from ..locations import PathKey, SourceMap


class LintFinding(ValidationError):
    """One problem ``khzreport lint`` reports."""


_DIGITS = re.compile(r"[0-9０-９]+(?:[.．,，][0-9０-９]+)*")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"|‘[^’]*’")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
_FOOTNOTE_LABEL = re.compile(r"\[\^[^\]\s]+\]")


def _masked(segment: str) -> str:
    """Blank out what names rather than counts: quoted names and footnote labels."""
    return _FOOTNOTE_LABEL.sub(_blank, _QUOTED.sub(_blank, segment))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def lint(report: Report) -> list[KhzReportError]:
    """Return every finding on a loaded report (empty when it is consistent)."""
    smap = source_map(report)
    findings: list[KhzReportError] = []
    for path, text in (*narrative_texts(report), *short_texts(report)):
        english = any(str(key).endswith("_en") for key in path[-2:])
        findings.extend(_typed_numbers(text, path, smap, english))
        if not english:
            findings.extend(_numbers_in_words(text, path, smap))
    findings.extend(_data_checks(report, smap))
    return findings


_TAG_FIELDS = frozenset({"leading_industries", "key_enterprises", "keywords"})


def short_texts(report: Report) -> Iterator[tuple[PathKey, str]]:
    """Yield (field path, text) for the titles, captions, positioning lines and tags.

    They print figures as prose does, so a figure typed into them escapes every check
    unless it is bound; sources and units are left out (they name publications and units).
    """
    for path, text in _strings(report, ()):
        if path[0] == "indicators" or not text:
            continue
        name = path[-1]
        if isinstance(name, str):
            base = name[:-3] if name.endswith("_en") else name
            if base in TEMPLATE_FIELDS - {"source", "unit"} or path == ("meta", "title"):
                yield path, text
        elif isinstance(path[-2], str) and path[-2].removesuffix("_en") in _TAG_FIELDS:
            yield path, text


def narrative_texts(report: Report) -> Iterator[tuple[PathKey, str]]:
    """Yield (field path, template text) for every narrative text of the report."""

    def both(path: PathKey, zh: str | None, en: str | None) -> Iterator[tuple[PathKey, str]]:
        if zh:
            yield path, zh
        if en:
            yield (*path[:-1], f"{path[-1]}_en"), en

    yield from both(("lead",), report.lead, report.lead_en)
    for i, h in enumerate(report.highlights):
        yield from both(("highlights", i, "text"), h.text, h.text_en)
    for i, q in enumerate(report.quotes):
        yield from both(("quotes", i, "text"), q.text, q.text_en)
    for base, section, _ in report.outline():
        for j, block in enumerate(section.blocks):
            for rel, zh, en in block.texts():
                yield from both((*base, "blocks", j, *rel), zh, en)
    for i, park in enumerate(report.parks):
        yield from both(("parks", i, "narrative"), park.narrative, park.narrative_en)


TEMPLATE_FIELDS = frozenset(
    {"title", "subtitle", "issuer", "masthead", "kind", "positioning", "by", "role"}
    | {"alt", "unit", "source", "caption", "tag", "kpis_title"}
)
"""Short text fields rendered as bound templates (titles, captions, units, positioning lines)
outside indicators; narrative fields (:func:`narrative_texts`) are templates too."""
_TEMPLATE_MARKS = ("{{", "{%")


def unbound_templates(report: Report) -> list[KhzReportError]:
    """Return a located error for each ``{{``/``{%`` in a field that is never rendered.

    Indicator fields (labels, units, sources, notes), list items (tags, keywords, chart
    categories) and names are printed as written; a template in them would reach the reader
    as ``{{ ind.x }}``, so it is refused instead.
    """
    smap = source_map(report)
    kept = _UNBOUND.get(id(report))
    if kept is not None and kept[0] is smap:
        return list(kept[1])
    errors = _unbound_templates(report, smap)
    if id(report) not in _UNBOUND:
        weakref.finalize(report, _UNBOUND.pop, id(report), None)
    _UNBOUND[id(report)] = (smap, errors)
    return list(errors)


_UNBOUND: dict[int, tuple[SourceMap | None, list[KhzReportError]]] = {}
"""The findings of :func:`unbound_templates` by report (dropped with the report): a report is
frozen, and validating resolves it forty times, each walking every string of the source."""


def _unbound_templates(report: Report, smap: SourceMap | None) -> list[KhzReportError]:
    allowed = {path for path, _ in narrative_texts(report)}
    errors: list[KhzReportError] = []
    for path, text in _strings(report, ()):
        if not any(mark in text for mark in _TEMPLATE_MARKS) or path in allowed:
            continue
        name = path[-1]
        if (
            isinstance(name, str)
            and path[0] != "indicators"
            and (name[:-3] if name.endswith("_en") else name) in TEMPLATE_FIELDS
        ):
            continue
        errors.append(
            ValidationError(
                "this field is printed as written and cannot hold a {{ }} template",
                smap.locate(path) if smap else Location(path=str(path)),
                "type the text, or move the figure into a title, caption or paragraph, "
                "which bind {{ ind.ID }}",
            )
        )
    return errors


def _strings(value: object, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))


def _typed_numbers(
    text: str, path: PathKey, smap: SourceMap | None, english: bool = False
) -> Iterator[KhzReportError]:
    try:
        segments = list(literal_segments(text))
    except NarrativeError:
        return  # syntax errors are reported by validate
    except Exception:
        return
    for seg_line, _, segment in segments:
        masked = _masked(segment)
        for m in _DIGITS.finditer(masked):
            if _allowed(masked, m.start(), m.end()) or (
                english and _allowed_en(masked, m.start(), m.end())
            ):
                continue
            line = seg_line + segment.count("\n", 0, m.start())
            where = smap.locate_in_text(path, line) if smap else Location(path=str(path))
            context = segment[max(0, m.start() - 8) : m.end() + 8].replace("\n", "")
            yield LintFinding(
                f"number typed into prose: '{m.group(0)}' in '…{context}…'",
                where,
                "bind it to an indicator: {{ ind.ID }}",
            )


_NUMERALS = "零〇一二三四五六七八九十百千万亿两"
_IN_WORDS = re.compile(
    f"百分之[{_NUMERALS}点]+"
    f"|[{_NUMERALS}]+分之[{_NUMERALS}]+"
    f"|(?<!第)[{_NUMERALS}]{{2,}}(?:多|余)?(?:家|项|个|名|人|件|台|户|所|座|栋|亿元|万元|元|倍)"
)
_MAGNITUDE_WORDS = re.compile("[十百千万亿]")


def _numbers_in_words(text: str, path: PathKey, smap: SourceMap | None) -> Iterator[KhzReportError]:
    """Figures written in Chinese numerals (五百二十三家, 三分之二, 百分之十二) outside ``{{ }}``.

    They escape the digit check and are as unchecked as typed digits; round words that
    carry no figure (一批, 两大, 千家万户, 第二) are not matched.
    """
    try:
        segments = list(literal_segments(text))
    except Exception:
        return
    for seg_line, _, segment in segments:
        masked = _masked(segment)
        for m in _IN_WORDS.finditer(masked):
            words = m.group(0)
            if "分之" not in words and not _MAGNITUDE_WORDS.search(words):
                continue
            line = seg_line + segment.count("\n", 0, m.start())
            where = smap.locate_in_text(path, line) if smap else Location(path=str(path))
            yield LintFinding(
                f"figure written in words: '{words}'",
                where,
                "bind it to an indicator: {{ ind.ID }}, {{ ind.ID | fraction }} or "
                "{{ ind.ID | words }}",
            )


_LIST_NUMBER = re.compile(r"[0-9]{1,2}[.)][ \t]")


def _allowed(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    digits = text[start:end]
    if (before and _LATIN.match(before)) or (after and _LATIN.match(after)):
        return True
    if _LIST_NUMBER.match(text, start) and not text[text.rfind("\n", 0, start) + 1 : start].strip():
        return True  # a numbered list item's marker (1. or 1) at the start of a line)
    if after == "年" and len(digits) == 4 and digits.isdigit():
        return True
    if after == "月" and digits.isdigit() and 1 <= int(digits) <= 12:
        return True
    return after == "日" and before == "月"


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DAY_BEFORE_MONTH = re.compile(rf"\s+(?:{_MONTHS})\b")
_MONTH_BEFORE_DAY = re.compile(rf"\b(?:{_MONTHS})\s+$")
COUNTING_UNITS = frozenset("家项件名个颗人次台户所座栋")
"""Units that count things; a chart may compare counts of firms, projects and people."""


def _allowed_en(text: str, start: int, end: int) -> bool:
    """English prose: a year (1900-2199) and the day of a written date are not quantities."""
    digits = text[start:end]
    after = text[end : end + 1]
    if not digits.isdigit():
        return False
    if len(digits) == 4 and 1900 <= int(digits) <= 2199 and after not in ("%", ".", ","):
        return True
    if len(digits) == 4 and 1900 <= int(digits) <= 2199 and after in (".", ","):
        return not text[end + 1 : end + 2].isdigit()
    if 1 <= int(digits) <= 31:
        return bool(_DAY_BEFORE_MONTH.match(text, end) or _MONTH_BEFORE_DAY.search(text[:start]))
    return False


def _data_checks(report: Report, smap: SourceMap | None) -> Iterator[KhzReportError]:
    def where(path: PathKey) -> Location:
        return smap.locate(path) if smap else Location(path=str(path))

    index = {ind.id: (i, ind) for i, ind in enumerate(report.indicators)}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, ind in enumerate(report.indicators):
        if ind.parts_of:
            groups[ind.parts_of].append(i)
        if ind.share_of and ind.share_of in index and ind.current is not None:
            whole = index[ind.share_of][1]
            if whole.current is not None and to_decimal(ind.current) > to_decimal(whole.current):
                yield LintFinding(
                    f"'{ind.id}' ({ind.current}) is larger than the whole '{whole.id}' ({whole.current})",
                    where(("indicators", i, "share_of")),
                )
        rank = ind.rank
        if rank and rank.previous is not None and rank.of is not None and rank.previous > rank.of:
            yield LintFinding(
                f"'{ind.id}': the previous rank {rank.previous} is outside a list of {rank.of}",
                where(("indicators", i, "rank", "previous")),
                "check the previous position, or the list size if the list has grown",
            )
        if ind.series:
            years = sorted(ind.series)
            missing = [y for y in range(years[0], years[-1] + 1) if y not in ind.series]
            if missing:
                yield LintFinding(
                    f"the series of '{ind.id}' has no entry for {', '.join(map(str, missing))}",
                    where(("indicators", i, "series")),
                    "add the years, with null where there is no data",
                )
    for total_id, members in groups.items():
        if total_id not in index:
            continue
        total = index[total_id][1]
        values = [report.indicators[i].current for i in members]
        if total.current is None or any(v is None for v in values):
            continue
        units = {report.indicators[i].unit for i in members}
        if units != {total.unit} and not (units | {total.unit}) <= COUNTING_UNITS:
            yield LintFinding(
                f"parts of '{total_id}' use the units {sorted(units)}, the total uses '{total.unit}'",
                where(("indicators", members[0], "parts_of")),
            )
            continue
        added = sum(to_decimal(v) for v in values if v is not None)
        if added > to_decimal(total.current):
            names = ", ".join(report.indicators[i].id for i in members)
            yield LintFinding(
                f"the parts of '{total_id}' ({names}) add up to {added}, more than its value {total.current}",
                where(("indicators", members[0], "parts_of")),
            )
    for i, chart in enumerate(report.charts):
        ids = list(chart.indicators or [])
        for s in chart.series or []:
            ids.extend(s.indicators or [])
        units = {index[x][1].unit for x in ids if x in index and index[x][1].value is not None}
        if len(units) > 1 and not units <= COUNTING_UNITS:
            yield LintFinding(
                f"chart '{chart.id}' mixes units {sorted(units)} on one axis",
                where(("charts", i)),
            )
