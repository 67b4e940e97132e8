"""A panic inside Typst reaches the caller as an ordinary exception, so the command line
reports an internal error instead of a Rust backtrace. (A table cell taller than a page made
Typst 0.15 panic while tagging the PDF; the resolver now shortens such cells, so the cell is
put back by hand here. Once Typst no longer panics on it, this test needs another panic.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import Table
from khzreport.writers.pdf import render_pdf
from tests.support.sources import small_source, write_source


def test_a_typst_panic_is_an_exception(tmp_path: Path) -> None:
    document = api.resolve(api.load(write_source(tmp_path, small_source())))
    blocks = [
        dataclasses.replace(b, rows=(("很" * 6000, *b.rows[0][1:]), *b.rows[1:]))
        if isinstance(b, Table)
        else b
        for b in document.blocks
    ]
    tall = dataclasses.replace(document, blocks=tuple(blocks))
    with pytest.raises(RuntimeError, match="Typst stopped while setting the PDF"):
        render_pdf(tall, api.render_charts(tall, cache=tmp_path))
