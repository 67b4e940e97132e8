"""The booklet: every sheet PDF of a batch merged into one file, a bookmark per park,
and, when the sheets are written as OFD too, the same booklet as OFD."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ..model import Report
from ..output import write_atomic
from ..theme import Theme
from ..writers.ofd import pdf_to_ofd, theme_fonts
from .manifest import BOOKLET, version


def write_booklet(
    outdir: Path, sheets: Sequence[tuple[str, Path]], report: Report, edition: str
) -> Path:
    """Merge the sheet PDFs (``(bookmark title, path)`` in order) into :data:`BOOKLET`.

    Its dates are the report's date, not the clock, so the same sheets give the same file.
    """
    from pypdf import PdfReader, PdfWriter  # pypdf: only booklets merge PDFs
    from pypdf.generic import NameObject, TextStringObject  # pypdf: as above

    writer = PdfWriter()
    for title, path in sheets:
        writer.append(PdfReader(path), outline_item=title, import_outline=False)
    meta = report.meta
    en = edition == "en"
    issuer = (meta.issuer_en or meta.issuer) if en else meta.issuer
    title = f"{issuer}: park profiles {meta.year}" if en else f"{issuer}{meta.year}年园区简介"
    stamp = f"D:{meta.date:%Y%m%d}000000Z"
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": issuer,
            "/Subject": "Park profiles" if en else "园区简介",
            "/Creator": "khzreport",
            "/Producer": f"khzreport {version()} (pypdf)",
            "/CreationDate": stamp,
            "/ModDate": stamp,
        }
    )
    writer.root_object[NameObject("/Lang")] = TextStringObject(edition)
    writer.page_mode = "/UseOutlines"
    buf = io.BytesIO()
    writer.write(buf)
    path = outdir / BOOKLET
    write_atomic(path, buf.getvalue())
    return path


def write_booklet_ofd(booklet: Path, report: Report, theme: Theme) -> Path:
    """Write the OFD of the booklet PDF beside it (``parks-booklet.ofd``): its pages, its
    bookmarks and its title and date, fonts from ``theme``'s files."""
    path = booklet.with_suffix(".ofd")
    data = pdf_to_ofd(booklet.read_bytes(), theme_fonts(theme), report.meta.date.isoformat())
    write_atomic(path, data)
    return path
