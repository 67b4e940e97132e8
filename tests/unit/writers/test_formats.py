"""The one reader of format lists, shared by the briefing build and the batch of sheets."""

from __future__ import annotations

import pytest

from khzreport.errors import ValidationError
from khzreport.writers import DEFAULT_FORMATS, FORMATS, WRITERS, parse_formats
from khzreport.writers.base import chart_kinds
from khzreport.writers.docx_charts import has_native_form
from tests.support.charts import gallery_document


def test_no_formats_means_every_allowed_default_one() -> None:
    assert FORMATS == tuple(WRITERS) == ("docx", "pdf", "html", "ofd")
    assert parse_formats(None) == DEFAULT_FORMATS == ("docx", "pdf", "html")
    assert parse_formats(None, ("docx", "pdf", "ofd")) == ("docx", "pdf")


def test_ofd_is_written_only_when_named() -> None:
    assert parse_formats("ofd") == ("ofd",)
    assert parse_formats("PDF,ofd", ("docx", "pdf", "ofd"), what="sheet format") == ("pdf", "ofd")


def test_names_are_trimmed_lowered_and_kept_once_in_order() -> None:
    assert parse_formats(" PDF, docx,,pdf ") == ("pdf", "docx")
    assert parse_formats(["html", "Docx", "html"]) == ("html", "docx")


def test_an_unknown_format_is_located_and_lists_the_allowed_ones() -> None:
    with pytest.raises(ValidationError, match="unknown format 'rtf'") as info:
        parse_formats("docx,rtf")
    assert info.value.location is not None and info.value.location.path == "formats"
    assert info.value.hint == "use one of: docx, pdf, html, ofd"


def test_sheets_allow_fewer_formats_and_say_so() -> None:
    with pytest.raises(ValidationError, match="unknown sheet format 'html'") as info:
        parse_formats("html", ("docx", "pdf"), what="sheet format")
    assert info.value.hint == "use one of: docx, pdf"


@pytest.mark.parametrize("formats", ["", " , ", []])
def test_an_empty_list_is_refused(formats: str | list[str]) -> None:
    with pytest.raises(ValidationError, match="no format given"):
        parse_formats(formats)


def test_each_format_asks_only_for_the_chart_drawings_it_uses() -> None:
    document = gallery_document()
    native = {c.id for c in document.charts() if has_native_form(c)}
    assert native and native != {c.id for c in document.charts()}
    assert set(chart_kinds(["pdf"], document).values()) == {frozenset({"pdf_svg"})}
    assert chart_kinds(["ofd"], document) == chart_kinds(["pdf"], document)  # the PDF's pages
    assert set(chart_kinds(["html"], document).values()) == {frozenset({"svg"})}
    word = chart_kinds(["docx"], document)
    assert {i for i, kinds in word.items() if not kinds} == native
    assert {i for i, kinds in word.items() if kinds} == {
        c.id for c in document.charts() if c.id not in native
    }
    assert set(chart_kinds(["docx"], document, docx_charts="picture").values()) == {
        frozenset({"png", "svg"})
    }
    both = chart_kinds(["docx", "pdf"], document)
    assert all(both[i] == word[i] | {"pdf_svg"} for i in word)
