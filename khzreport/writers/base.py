"""What every writer shares: the format registry, the diagnostics channel, block dispatch.

The registry maps a format name to the module and function that renders it. Modules are
imported only when their format is built, so validating a source never loads python-docx or
Typst.

A writer draws a block with the piece of code named after the block's ``kind``: the DOCX
writer's ``block_<kind>`` method, the HTML macro ``<kind>`` in ``blocks.html.j2``, the
Typst function under the block's type name in the ``renderers`` dictionary of
``blocks.typ``. A block none of these knows is not drawn, and every format says so the same
way: a ``block-not-rendered`` diagnostic located at the block's source.
"""

from __future__ import annotations

import functools
import importlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics
from ..document import Document, Node

WRITERS: dict[str, tuple[str, str, str]] = {
    "docx": ("khzreport.writers.docx", "render_docx", ".docx"),
    "pdf": ("khzreport.writers.pdf", "render_pdf", ".pdf"),
    "html": ("khzreport.writers.html", "render_html", ".html"),
    "ofd": ("khzreport.writers.ofd", "render_ofd", ".ofd"),
}
"""Format name → (module, function, file suffix)."""

CHART_KINDS: dict[str, str] = {
    "docx": "khzreport.writers.docx_forms",
    "pdf": "khzreport.writers.pdf",
    "html": "khzreport.writers.html",
    "ofd": "khzreport.writers.pdf",  # the OFD's pages are the PDF's
}
"""Format name → the module whose ``chart_kinds(document, **options)`` names the drawings
of each chart the format uses (see :data:`khzreport.charts.KINDS`); a format not listed
is given every drawing."""

ALL_CHART_KINDS = frozenset({"png", "svg", "pdf_svg"})


def chart_kinds(
    fmts: Sequence[str], document: Document, **options: Any
) -> dict[str, frozenset[str]]:
    """Return, by chart id, the drawings the writers of ``fmts`` use of a document's charts.

    ``options`` are the writers' options (``docx_charts`` decides whether Word gets
    pictures); a build draws no PNG when no format shows one.
    """
    kinds: dict[str, frozenset[str]] = {chart.id: frozenset() for chart in document.charts()}
    for fmt in fmts:
        module = CHART_KINDS.get(fmt)
        needs = (
            importlib.import_module(module).chart_kinds(document, **options)
            if module is not None
            else dict.fromkeys(kinds, ALL_CHART_KINDS)
        )
        for ident, wanted in needs.items():
            kinds[ident] = kinds.get(ident, frozenset()) | wanted
    return kinds


def writer(fmt: str) -> Callable[..., bytes]:
    """Return the render function of a format (``render(document, charts, **options)``)."""
    module, func, _ = WRITERS[fmt]
    render_function: Callable[..., bytes] = getattr(importlib.import_module(module), func)
    return render_function


def suffix(fmt: str) -> str:
    """Return the file suffix of a format."""
    return WRITERS[fmt][2]


def render(
    fmt: str,
    document: Document,
    charts: Mapping[str, Any],
    *,
    diagnostics: Diagnostics | None = None,
    **options: Any,
) -> bytes:
    """Render a document in one format; what it cannot draw goes to ``diagnostics``."""
    return writer(fmt)(document, charts, diagnostics=diagnostics, **options)


def channel(diagnostics: Diagnostics | None) -> Diagnostics:
    """Return the channel to report into: the caller's, or a local one that still logs."""
    return diagnostics if diagnostics is not None else Diagnostics()


WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"
_CJK_EDGE = re.compile(
    r"(?<=[^\s\u2060])(?=[\u3000-\u9fff\uff00-\uffef])|(?<=[\u3000-\u9fff\uff00-\uffef])(?=[^\s])"
)
_FIGURE_SPACE = re.compile(r"(?<=\b(?:RMB|USD|No\.)) (?=[-\d])|(?<=\d) (?=\S)")


def unbreakable_figure(text: str, *, joiners: bool = True) -> str:
    """Return a figure's text so that no line breaks inside its number and unit.

    Chinese (近140亿元, 140多家) gets a word joiner (U+2060) wherever a line could break
    before or after a Chinese character (``joiners=False`` leaves that to the writer: Typst
    boxes the figure, and would copy the joiners into the PDF's text). English gets a no-break
    space where the number meets its currency and the word after it (``over RMB 74 billion``
    may break after ``over`` only; ``more than 70 national, provincial … projects`` keeps
    ``70 national`` together and wraps the rest), so a long noun can still wrap.
    """
    if joiners:
        text = _CJK_EDGE.sub(WORD_JOINER, text)
    return _FIGURE_SPACE.sub(NO_BREAK_SPACE, text)


def not_rendered(diagnostics: Diagnostics, fmt: str, node: Node) -> None:
    """Report a block the format has nothing to draw with."""
    diagnostics.warn(
        "block-not-rendered",
        f"not rendered in {fmt}: {node.kind}",
        node.origin,
        "the block type has no drawing in this format's writer or template",
    )


_RENDERERS = re.compile(r"^#let renderers\s*=\s*\((.*?)^\)", re.M | re.S)
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*:", re.M)


def typst_renderers(blocks_typ: Path) -> frozenset[str]:
    """Return the block type names a ``blocks.typ`` draws: the keys of its ``renderers``.

    Read once per version of the file, not once per PDF (a batch renders thousands).
    """
    stat = blocks_typ.stat()
    return _typst_renderers(str(blocks_typ), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _typst_renderers(path: str, size: int, mtime_ns: int) -> frozenset[str]:
    match = _RENDERERS.search(Path(path).read_text(encoding="utf-8"))
    return frozenset(_KEY.findall(match.group(1))) if match else frozenset()


class BlockVisitor:
    """Dispatch each block to the method ``block_<kind>``; report those without one."""

    fmt = ""

    def __init__(self, diagnostics: Diagnostics | None) -> None:
        self.diagnostics = channel(diagnostics)

    def visit(self, node: Node) -> bool:
        """Draw ``node``; return False (and report it) if this writer cannot."""
        method: Callable[[Any], None] | None = getattr(self, f"block_{node.kind}", None)
        if method is None:
            not_rendered(self.diagnostics, self.fmt, node)
            return False
        method(node)
        return True


def page_count(pdf: bytes) -> int:
    """Return the number of pages of a PDF: the one page counter.

    Typst writes one flat page tree whose root, a plain dictionary, holds the count; it is
    read from there. Any other shape (several page trees, a compressed root) is left to
    pypdf, which reads the whole file: its import alone is a tenth of a second, which every
    PDF paid when pypdf counted them all.
    """
    trees = _PAGE_TREE.findall(pdf)
    if len(trees) == 1 and b"/Parent" not in trees[0]:
        count = _PAGE_COUNT.search(trees[0])
        if count is not None:
            return int(count[1])
    from pypdf import PdfReader  # pypdf: only PDFs Typst did not write need it

    return len(PdfReader(io.BytesIO(pdf)).pages)


_PAGE_TREE = re.compile(rb"<<(?:[^<>]|<(?!<))*?/Type\s*/Pages\b(?:[^<>]|<(?!<))*?>>")
"""A page tree node without nested dictionaries (Typst's root: ``<</Type/Pages/Count 13/Kids[…]>>``)."""
_PAGE_COUNT = re.compile(rb"/Count\s+(\d+)\b")
