"""The DOCX writer's own ways of adding styles and runs give python-docx's XML exactly."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree

from khzreport.writers import ooxml
from khzreport.writers.docx import _run_text


def xml(element: object) -> bytes:
    return etree.tostring(element)


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        " leading and trailing ",
        "a\tb",
        "\tstarts with a tab",
        "line\nbreak",
        "crlf\r\nbreak",
        "\n\n",
        "ends with a tab\t",
        "中文\t数字 12.5%\n第二行",
        "",
    ],
)
def test_run_text_is_what_python_docx_writes(text: str) -> None:
    mine = docx.Document().add_paragraph()._p.add_r()
    _run_text(mine, text)
    theirs = docx.Document().add_paragraph().add_run()
    theirs.text = text
    assert xml(mine) == xml(theirs._r)


def test_package_bytes_is_normalise_package_of_the_same_entries() -> None:
    entries = {
        "word/document.xml": b"<w:document/>",
        "[Content_Types].xml": b"<Types/>",
        "_rels/.rels": b"<Relationships/>",
        "docProps/app.xml": b"<old/>",
    }
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w") as target:
        for name, data in entries.items():
            target.writestr(name, data)
    when = (2023, 12, 31, 0, 0, 0)
    replace = {"docProps/app.xml": b"<new/>"}
    assert ooxml.package_bytes(entries, date_time=when, replace=replace) == (
        ooxml.normalise_package(stored.getvalue(), date_time=when, replace=replace)
    )
    with pytest.raises(KeyError):
        ooxml.package_bytes(entries, date_time=when, replace={"missing.xml": b""})
