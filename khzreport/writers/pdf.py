"""Typeset the resolved document as PDF with Typst.

The document is never turned into Typst markup. :func:`render_pdf` dumps it to JSON (the
blocks as :func:`~khzreport.document.to_plain` gives them, chart SVGs as text keyed into
their figures, photos as paths inside a private Typst root) and hands that to the templates
in ``templates/typst/`` through ``sys.inputs.data``. The templates read it with ``json()``
and place every string as text, so ``#``, ``*``, ``$`` or ``<label>`` in a source print as
themselves.

Fonts are files found by :mod:`khzreport.fonts` (theme families first), linked one by one
into a private folder handed to Typst with system fonts ignored, so the output does not depend
on what else is installed and Typst reads no file beside a chosen font.
Every printed character is checked against them before compiling: a missing glyph is logged
with the block it is in, or raised under ``strict``.

Output is reproducible: the PDF's creation date and Typst's timestamp come from
``meta.date``, and nothing else in the build varies, so two builds are byte-identical.

Charts are embedded from their PDF SVG (text as text in the chart font, whose folder Typst
is given), so each glyph is embedded once in a font subset rather than drawn as an outline
at every use. The file Typst writes is then made smaller without changing a single object:
the structure-tree elements (a tagged PDF has hundreds of small dictionaries) are moved into
compressed object streams, with a cross-reference stream (PDF 1.5; allowed by PDF/A-2 and
later and by PDF/UA). See :func:`_compact`.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import threading
import zlib
from collections.abc import Iterator, Mapping
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any, Protocol

import typst

from ..charts import chart_font
from ..charts import fonts as fontlib
from ..diagnostics import Diagnostics
from ..document import SEAL_RISE, Document, Figure, PageBreak, Signature, Table, Toc, to_plain
from ..errors import (
    FontError,
    KhzReportError,
    Location,
    TemplateError,
    ValidationError,
)
from ..limits import MAX_PDF_PAGES
from ..resolver.decisions import grid_tracking_pt
from ..resources import temp_folder, template_path
from ..source.assets import read_checked
from ..theme import Theme
from .base import channel, not_rendered, page_count, typst_renderers, unbreakable_figure

__all__ = ["PDF_STANDARDS", "ChartImage", "font_files", "render_pdf"]


PDF_STANDARDS = ("1.7", "2.0", "a-2b", "a-2u", "a-3b", "a-3u", "a-4", "ua-1")
"""PDF standards that can be requested (Typst checks conformance while exporting)."""

_TEMPLATES = ("briefing.typ", "sheet.typ", "blocks.typ")
_NOT_PRINTED = frozenset(
    {
        "type",
        "indicator",
        "anchor",
        "chart",
        "image",
        "alt",
        "width",
        "style",
        "direction",
        "kind",
        "language",
        "id",
        "align",
        "seal",
    }
)


class ChartImage(Protocol):
    """What the PDF writer needs of a rendered chart (``khzreport.charts.RenderedChart``)."""

    @property
    def svg(self) -> bytes: ...

    @property
    def width_cm(self) -> float: ...

    @property
    def height_cm(self) -> float: ...

    @property
    def alt(self) -> str: ...


@dataclasses.dataclass(frozen=True)
class _PdfFonts:
    """The faces the templates name: CJK body, heading, quote (楷体) and title, optional
    Latin, and every font file Typst may read (resolved)."""

    body: fontlib.FontFile
    heading: fontlib.FontFile
    latin: fontlib.FontFile | None
    files: tuple[Path, ...]
    quote: fontlib.FontFile | None = None
    title: fontlib.FontFile | None = None

    def all(self) -> list[fontlib.FontFile]:
        """Return every face, Latin first (the order Typst tries them in body text)."""
        faces = (self.latin, self.body, self.heading, self.quote, self.title)
        return [f for f in faces if f is not None]


def prepare(document: Document, template_dir: Path | None = None) -> None:
    """Get Typst ready to set ``document``'s PDF while its charts are still being drawn.

    This finds the document's fonts, starts the compiler :func:`render_pdf` will use and has
    it load the faces every document sets (each family's regular, the headings' bold) with a
    few words set in each: a first compile reads and parses every font file it uses, and
    that, with starting the compiler, was a third of a cold build's Typst time, spent after
    the charts were drawn. A face only some documents use (bold body text) is left to the
    PDF's own compile: loading one a document does not use (27 MB for Noto Serif CJK Bold)
    only took processor time from the drawer. A build calls this while its drawer
    draws the charts (see :func:`khzreport.drawer.meanwhile`). It changes nothing
    :func:`render_pdf` writes, and anything it cannot do (no CJK font) is left for
    :func:`render_pdf` to report.
    """
    theme = document.theme if isinstance(document.theme, Theme) else Theme()
    charted = any(isinstance(b, Figure) and b.chart is not None for b in document.blocks)
    try:
        pdf_fonts = _resolve_fonts(theme, chart_text=charted)
    except KhzReportError:
        return
    compiler, lock, stage = _compiler(template_dir, pdf_fonts.files)
    faces = [(f.family, "regular") for f in pdf_fonts.all()] + [(pdf_fonts.heading.family, "bold")]
    words = "\n".join(
        f'#text(font: "{family}", weight: "{weight}")[高新区 2023年 GDP 100亿元]'
        for family, weight in dict.fromkeys(faces)
    )
    with lock:
        (stage.root / _FONTS_LOADED).write_text(words, encoding="utf-8")
        with contextlib.suppress(Exception):
            compiler.compile(input=str(stage.root / _FONTS_LOADED), root=str(stage.root))


_FONTS_LOADED = "fonts-loaded.typ"
"""The page :func:`prepare` sets to have the compiler load its faces."""


def render_pdf(
    document: Document,
    charts: Mapping[str, ChartImage],
    *,
    pdf_standard: str | None = None,
    template_dir: Path | None = None,
    strict: bool = False,
    diagnostics: Diagnostics | None = None,
) -> bytes:
    """Return the PDF of a resolved document (briefing or one-page park sheet).

    ``charts`` maps chart ids to rendered charts (their SVG is embedded as vector art).
    ``pdf_standard`` asks Typst for a conforming file (``"a-2b"``, ``"a-3b"``, ``"ua-1"`` …).
    ``template_dir`` holds replacement ``briefing.typ``/``sheet.typ``/``blocks.typ`` files;
    files it lacks come from the shipped templates. With ``strict`` a character the fonts
    cannot show, a chart missing from ``charts``, or a sheet longer than one page raises
    instead of a warning to ``diagnostics``. A block type ``blocks.typ`` has no entry for in
    its ``renderers`` is left out with a ``block-not-rendered`` diagnostic.
    """
    if pdf_standard is not None and pdf_standard not in PDF_STANDARDS:
        raise ValidationError(
            f"unknown PDF standard {pdf_standard!r}", None, "use one of " + ", ".join(PDF_STANDARDS)
        )
    diagnostics = channel(diagnostics)
    theme = document.theme if isinstance(document.theme, Theme) else Theme()
    pdf_fonts = _resolve_fonts(theme, _chart_text(document, charts))
    plain_blocks = [to_plain(block) for block in document.blocks]  # walked twice below
    _check_glyphs(document, plain_blocks, pdf_fonts, strict, diagnostics)
    images: dict[str, bytes] = {}
    drawn = typst_renderers(_template_file(template_dir, "blocks.typ"))
    data = _document_data(
        document, plain_blocks, theme, charts, pdf_fonts, images, strict, drawn, diagnostics
    )
    main = "sheet.typ" if document.layout == "sheet" else "briefing.typ"
    templates = _templates(template_dir)
    compiler, lock, stage = _compiler(template_dir, pdf_fonts.files)
    with lock:
        root = stage.prepare(templates, images)
        try:
            pdf, warnings = compiler.compile_with_warnings(
                input=str(root / main),
                root=str(root),
                format="pdf",
                sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                pdf_standards=[pdf_standard] if pdf_standard else [],  # type: ignore[list-item]
                timestamp=_timestamp(document.meta.date),
            )
        except typst.TypstError as exc:
            raise _typst_error(exc, template_dir) from None
        except BaseException as exc:  # a panic inside Typst is no Exception subclass
            if type(exc).__name__ != "PanicException":
                raise
            raise RuntimeError(f"Typst stopped while setting the PDF: {exc}") from None
    for warning in warnings:
        diagnostics.warn("typst-warning", f"typst: {warning.message}")
    if not isinstance(pdf, bytes):
        raise RuntimeError("Typst returned no PDF")
    pdf = _compact(pdf)
    pages = page_count(pdf)
    if pages > MAX_PDF_PAGES:
        where = next((b.origin for b in document.blocks if getattr(b, "origin", None)), None)
        raise ValidationError(
            f"the PDF would have {pages} pages, more than {MAX_PDF_PAGES}",
            Location(where.file, None, None, "sections") if where else None,
            "split the report, or shorten what repeats",
        )
    if document.layout == "sheet":
        if pages > 1:
            _warn_or_raise(
                f"the park sheet '{document.name}' runs to {pages} pages instead of one "
                "(shorten its narrative or drop a block)",
                strict,
                diagnostics,
                "sheet-too-long",
            )
    return pdf


def _resolve_fonts(theme: Theme, chart_text: bool = False) -> _PdfFonts:
    """Return the theme's PDF fonts as files; raise FontError when no CJK font exists.

    With ``chart_text`` (charts whose SVG has text as text) the chart font's file is added,
    so that Typst sets that text in the very faces the charts were drawn with. The answer is
    kept for the process under everything it depends on: the theme's font settings and
    folder, its font files as they are on disk, and the font folders of the environment (a
    batch asks the same question for every sheet).
    """
    files = tuple(
        (str(path), stat.st_mtime_ns, stat.st_size) if (stat := _stat(path)) else (str(path),)
        for path in fontlib.theme_font_files(theme)
    )
    key = (
        theme.fonts.model_dump_json(),
        str(theme.base_dir),
        files,
        chart_text,
        os.environ.get(fontlib.FONT_DIRS_ENV),
    )
    found = _fonts_found.get(key)
    if found is None:
        found = _fonts_found[key] = _find_fonts(theme, chart_text)
    return found


_fonts_found: dict[tuple[Any, ...], _PdfFonts] = {}


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _find_fonts(theme: Theme, chart_text: bool) -> _PdfFonts:
    """Find the PDF fonts of :func:`_resolve_fonts`."""
    f = theme.fonts

    def found(families: list[str], purpose: str) -> fontlib.FontFile:
        return fontlib.find_font(families, fontlib.role_files(theme, families), purpose=purpose)

    body = found(f.pdf_body, "PDF body text")
    heading = found(f.pdf_heading, "PDF headings")
    quote = found(f.pdf_quote, "PDF quotes")
    title = found(f.pdf_title, "PDF titles")
    latin_found = fontlib.find_fonts(f.latin, fontlib.role_files(theme, f.latin), require_cjk=False)
    latin = latin_found[0] if latin_found else None
    paths = list(fontlib.font_paths_for_typst(theme))
    if chart_text:
        try:
            faces = [f for f in chart_font(theme) if f is not None]
        except FontError:  # the charts were drawn, so this is not expected; Typst falls back
            faces = []
        paths += [f.path.resolve() for f in faces if f.path.resolve() not in paths]
    return _PdfFonts(body, heading, latin, tuple(paths), quote, title)


def chart_kinds(document: Document, **_: Any) -> dict[str, frozenset[str]]:
    """Return the drawing of each chart a PDF uses: its SVG with the text as text."""
    return {chart.id: frozenset({"pdf_svg"}) for chart in document.charts()}


def font_files(theme: Theme) -> tuple[Path, ...]:
    """Return every font file Typst may set a PDF of ``theme`` with, the chart font included.

    The OFD writer finds the faces a PDF names among these to embed them again.
    """
    return _resolve_fonts(theme, chart_text=True).files


def _chart_text(document: Document, charts: Mapping[str, ChartImage]) -> bool:
    """Return whether a chart of the document will be embedded from its text SVG."""
    return any(
        isinstance(b, Figure) and b.chart is not None and _pdf_svg(charts.get(b.chart.id))
        for b in document.blocks
    )


def _pdf_svg(rendered: ChartImage | None) -> bytes:
    """Return the SVG for the PDF: text as text if the chart has one (see module docstring)."""
    if rendered is None:
        return b""
    return bytes(getattr(rendered, "pdf_svg", b"") or b"")


class _Stage:
    """The folder a compiler sets its PDFs in, kept for the life of the process.

    The templates stay from one PDF to the next and are written again only when their text
    changed (a user's template edited while the preview runs); the photos are those of the
    PDF being set, the last one's removed first. Typst reads every file it uses afresh at
    each compile, so a file changed under the same name is seen. Copying the templates into
    a new temporary folder for every PDF was a tenth of a park sheet's PDF time.
    """

    def __init__(self) -> None:
        self.root = Path(temp_folder("khzreport-typst-"))
        atexit.register(shutil.rmtree, self.root, True)
        Finalize(None, shutil.rmtree, args=(self.root, True), exitpriority=0)  # pool workers
        self.templates: dict[str, bytes] = {}

    def prepare(self, templates: Mapping[str, bytes], images: Mapping[str, bytes]) -> Path:
        """Put ``templates`` and ``images`` (names relative to the root) in place; return the root."""
        for name in set(self.templates) - set(templates):
            (self.root / name).unlink(missing_ok=True)
            del self.templates[name]
        for name, text in templates.items():
            if self.templates.get(name) != text:
                (self.root / name).write_bytes(text)
                self.templates[name] = text
        shutil.rmtree(self.root / _IMAGES, ignore_errors=True)
        for name, photo in images.items():
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(photo)
        return self.root


_IMAGES = "img"
"""The folder of a PDF's photos in its compiler's :class:`_Stage`."""

_compilers: dict[tuple[str, tuple[str, ...]], tuple[typst.Compiler, threading.Lock, _Stage]] = {}
_compilers_lock = threading.Lock()


def _compiler(
    template_dir: Path | None, files: tuple[Path, ...]
) -> tuple[typst.Compiler, threading.Lock, _Stage]:
    """Return the process-wide compiler for a template folder and font set, with its lock
    and the folder it sets PDFs in.

    Loading fonts is the slow part of a first compile; a batch of park sheets reuses it.
    The lock serialises compiles on one compiler (its sys_inputs and root are per call) and
    the use of its folder.
    """
    key = (str(template_dir.resolve()) if template_dir else "", tuple(str(f) for f in files))
    with _compilers_lock:
        found = _compilers.get(key)
        if found is None:
            compiler = typst.Compiler(
                font_paths=[str(_font_folder(files))], ignore_system_fonts=True
            )
            found = _compilers[key] = (compiler, threading.Lock(), _Stage())
        return found


def _font_folder(files: tuple[Path, ...]) -> Path:
    """Return a private folder holding a link to each font file and nothing else.

    Typst takes folders of fonts, not files, and searches them with links followed; a
    folder of our own links gives it exactly the chosen files. It lives as long as this
    process (removed at exit, or by the next run if the process was killed).
    """
    folder = Path(temp_folder("khzreport-typst-"))
    atexit.register(shutil.rmtree, folder, True)
    Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=0)  # pool workers
    for i, file in enumerate(files):
        os.symlink(file, folder / f"{i}{file.suffix.lower()}")
    return folder


def _template_file(template_dir: Path | None, name: str) -> Path:
    """Return the template file Typst will use: the user's replacement, else the shipped one."""
    if template_dir is not None and (template_dir / name).is_file():
        return template_dir / name
    return template_path("typst") / name


def _templates(template_dir: Path | None) -> dict[str, bytes]:
    """Return the templates a PDF is set with by name: the shipped ones, with the user's
    replacements (every ``*.typ`` of ``template_dir``) over them."""
    shipped = template_path("typst")
    found = {name: (shipped / name).read_bytes() for name in _TEMPLATES}
    if template_dir is not None:
        if not template_dir.is_dir():
            raise TemplateError(
                f"template folder not found: {template_dir}",
                None,
                "name a folder holding briefing.typ, sheet.typ and/or blocks.typ",
            )
        for file in sorted(template_dir.glob("*.typ")):
            found[file.name] = file.read_bytes()
    return found


def _document_data(
    document: Document,
    plain_blocks: list[Any],
    theme: Theme,
    charts: Mapping[str, ChartImage],
    pdf_fonts: _PdfFonts,
    images: dict[str, bytes],
    strict: bool,
    drawn: frozenset[str],
    diagnostics: Diagnostics,
) -> dict[str, Any]:
    """Return the JSON handed to the templates; fill ``images`` with the photos' root paths
    and bytes (read through :func:`~khzreport.source.assets.read_checked`).

    ``plain_blocks`` are the document's blocks as plain data (:func:`to_plain`), left as
    they are. Only blocks whose type is in ``drawn`` (the template's renderers) are handed
    over.
    """
    blocks = []
    for index, (block, plain_block) in enumerate(zip(document.blocks, plain_blocks, strict=True)):
        if type(block).__name__ not in drawn:
            not_rendered(diagnostics, "pdf", block)
            continue
        plain = _glued(plain_block)
        if isinstance(block, Table):
            plain["rows"] = [
                [
                    unbreakable_figure(c, joiners=False) if i in block.numeric_columns else c
                    for i, c in enumerate(r)
                ]
                for r in plain["rows"]
            ]
        if isinstance(block, Figure):
            plain["chart"] = None
            plain["image"] = None
            if block.chart is not None:
                plain["chart"] = _chart_data(block, index, charts, strict, diagnostics)
            elif block.image is not None:
                source = Path(block.image)
                where = block.origin or Location(path=f"blocks[{index}]")
                name = f"img/{len(images) + 1:03d}{source.suffix.lower()}"
                images[name] = read_checked(source, where, f"figure {block.label}")
                plain["image"] = "/" + name
        if isinstance(block, Signature) and block.seal is not None:
            source = Path(block.seal)
            where = block.origin or Location(path=f"blocks[{index}]")
            name = f"img/{len(images) + 1:03d}{source.suffix.lower()}"
            images[name] = read_checked(source, where, "the seal of the 落款")
            plain["seal"] = "/" + name
            plain["seal_rise"] = SEAL_RISE
        blocks.append(plain)
    toc_levels = [e.level for b in document.blocks if isinstance(b, Toc) for e in b.entries]
    meta = to_plain(document.meta)
    day = _date(document.meta.date)
    meta["date_parts"] = {"year": day.year, "month": day.month, "day": day.day}
    lang, _, region = document.meta.language.partition("-")
    body_fonts: list[Any] = [{"name": pdf_fonts.body.family}]
    if pdf_fonts.latin is not None:
        # Chinese text takes quotes and dashes from the CJK face (full width, as Chinese sets
        # them); English takes every character its Latin face has, so “2+2+3” keeps the
        # spaces around it and English proportions.
        latin: dict[str, Any] = {"name": pdf_fonts.latin.family}
        if not document.meta.language.startswith("en"):
            latin["covers"] = "latin-in-cjk"
        body_fonts.insert(0, latin)
    return {
        "layout": document.layout,
        "name": document.name,
        "meta": meta,
        "lang": lang.lower() or "zh",
        "region": region.lower() or None,
        "theme": theme.model_dump(mode="json"),
        "page_mm": {"width": theme.page.width_mm, "height": theme.page.height_mm},
        "grid_tracking_pt": grid_tracking_pt(theme),
        "fonts": {
            "body": body_fonts,
            "heading": [{"name": pdf_fonts.heading.family}],
            "quote": [*body_fonts[:-1], {"name": (pdf_fonts.quote or pdf_fonts.body).family}],
            "title": [{"name": (pdf_fonts.title or pdf_fonts.heading).family}],
        },
        "toc_depth": max(toc_levels, default=1),
        "ends_with_break": bool(document.blocks) and isinstance(document.blocks[-1], PageBreak),
        "blocks": blocks,
    }


def _glued(plain: Any) -> Any:
    """Return a block's data with every figure bound to an indicator made unbreakable
    (:func:`~khzreport.writers.base.unbreakable_figure`)."""
    if isinstance(plain, dict):
        out = {k: _glued(v) for k, v in plain.items()}
        if out.get("type") == "Run" and out.get("indicator") is not None:
            out["text"] = unbreakable_figure(out["text"], joiners=False)
        return out
    if isinstance(plain, list):
        return [_glued(v) for v in plain]
    return plain


def _chart_data(
    figure: Figure,
    index: int,
    charts: Mapping[str, ChartImage],
    strict: bool,
    diagnostics: Diagnostics,
) -> dict[str, Any] | None:
    """Return the SVG text and size of a chart figure, or None (with a warning) if missing."""
    assert figure.chart is not None
    rendered = charts.get(figure.chart.id)
    if rendered is None:
        _warn_or_raise(
            f"not rendered: chart '{figure.chart.id}' of {figure.label} (blocks[{index}]) "
            "was not passed to the PDF writer; its caption is printed without it",
            strict,
            diagnostics,
            "chart-not-rendered",
            figure.origin,
        )
        return None
    return {
        "svg": (_pdf_svg(rendered) or rendered.svg).decode("utf-8"),
        "width_cm": rendered.width_cm,
        "height_cm": rendered.height_cm,
    }


def _check_glyphs(
    document: Document,
    plain_blocks: list[Any],
    pdf_fonts: _PdfFonts,
    strict: bool,
    diagnostics: Diagnostics,
) -> None:
    """Log (or raise under ``strict``) every printed character none of the fonts can show."""
    faces = pdf_fonts.all()
    found: dict[str, list[str]] = {}
    first_path = ""
    for where, path, text in _printed_texts(document, plain_blocks):
        missing = fontlib.missing_in_all(text, faces)
        for ch in sorted(missing):
            first_path = first_path or path
            places = found.setdefault(ch, [])
            if where not in places:
                places.append(where)
    if not found:
        return
    names = ", ".join(dict.fromkeys(f.family for f in faces))
    listing = "; ".join(
        f"{ch!r} (U+{ord(ch):04X}) in {', '.join(places)}" for ch, places in found.items()
    )
    message = f"the PDF fonts ({names}) have no glyph for {listing}"
    hint = "add a font file covering them to the theme (fonts.files) or replace the characters"
    if strict:
        raise FontError(message, Location(path=first_path), hint)
    diagnostics.warn("missing-glyph", message, None, hint)


def _printed_texts(document: Document, plain_blocks: list[Any]) -> Iterator[tuple[str, str, str]]:
    """Yield (place, field path, text) for every printed string, place like ``paragraph 12``.

    The number is the block's index in ``document.blocks`` (``plain_blocks`` are those
    blocks as plain data). Chart text is drawn by the chart renderer and checked there.
    """
    meta = document.meta
    yield "meta.running_header", "meta.running_header", meta.running_header
    if meta.footer_note:
        yield "meta.footer_note", "meta.footer_note", meta.footer_note
    for index, (block, plain) in enumerate(zip(document.blocks, plain_blocks, strict=True)):
        kind = re.sub(r"(?<!^)(?=[A-Z])", " ", type(block).__name__).lower()
        where = f"{kind} {index}"
        for text in _strings(plain):
            yield where, f"blocks[{index}]", text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_PRINTED:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _warn_or_raise(
    message: str,
    strict: bool,
    diagnostics: Diagnostics,
    code: str,
    origin: Location | None = None,
) -> None:
    if strict:
        raise KhzReportError(message)
    diagnostics.warn(code, message, origin)


def _date(iso: str) -> dt.date:
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        raise ValidationError(
            f"document date {iso!r} is not an ISO date", Location(path="meta.date"), "2024-01-15"
        ) from None


def _timestamp(iso: str) -> int:
    """Return the UNIX time of midnight UTC of ``meta.date`` (Typst's fixed build time)."""
    day = _date(iso)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_HEAD = re.compile(rb"xref\s+0\s+(\d+)\s+")
_TRAILER = re.compile(rb"\s*trailer\s*(<<.*>>)\s*startxref", re.S)
_OBJECT_HEAD = re.compile(rb"(\d+) 0 obj\s*")
_PER_STREAM = 200


def _compact(pdf: bytes) -> bytes:
    """Return ``pdf`` with its structure elements in object streams (same objects, smaller).

    A tagged PDF holds one dictionary per paragraph, table cell and span of its structure
    tree, written uncompressed: about a fifth of a briefing. This moves those dictionaries
    (but not the ones carrying alt text, which stay readable as they are) into compressed
    object streams and replaces the cross-reference table with a compressed cross-reference
    stream holding the same trailer entries. Every object keeps its number and content, so
    nothing a reader shows changes. Anything but the plain layout Typst writes (one
    cross-reference section, generation 0 throughout, no encryption, no earlier revisions,
    PDF 1.5 or later) is returned unchanged, as is a file this would not make smaller.
    """
    version = re.match(rb"%PDF-(\d)\.(\d)", pdf)
    end = _STARTXREF.search(pdf)
    if version is None or (int(version[1]), int(version[2])) < (1, 5) or end is None:
        return pdf
    xref_at = int(end[1])
    head = _XREF_HEAD.match(pdf, xref_at)
    if head is None:
        return pdf
    count = int(head[1])
    offsets: dict[int, int] = {}
    pos = head.end()
    for number in range(count):
        entry = pdf[pos : pos + 20]
        pos += 20
        if len(entry) != 20 or entry[10:11] != b" " or entry[16:17] != b" ":
            return pdf
        if entry[17:18] == b"n":
            if int(entry[11:16]) != 0:
                return pdf
            offsets[number] = int(entry[:10])
        elif entry[17:18] != b"f":
            return pdf
    trailer = _TRAILER.match(pdf, pos)
    if trailer is None or b"/Prev" in trailer[1] or b"/Encrypt" in trailer[1]:
        return pdf
    order = sorted(offsets, key=offsets.__getitem__)
    bodies: dict[int, bytes] = {}
    for i, number in enumerate(order):
        start = offsets[number]
        stop = offsets[order[i + 1]] if i + 1 < len(order) else xref_at
        obj = _OBJECT_HEAD.match(pdf, start, stop)
        body = pdf[obj.end() if obj else start : stop].rstrip()
        if obj is None or int(obj[1]) != number or not body.endswith(b"endobj"):
            return pdf
        bodies[number] = body[: -len(b"endobj")].rstrip()
    packed = [n for n in sorted(bodies) if _packable(bodies[n])]
    if not packed:
        return pdf
    out = bytearray(pdf[: offsets[order[0]]])
    where: dict[int, tuple[int, int, int]] = {}  # number -> (type, field 2, field 3)
    for number in order:
        if number not in packed:
            where[number] = (1, len(out), 0)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, bodies[number])
    size = count
    for first in range(0, len(packed), _PER_STREAM):
        group = packed[first : first + _PER_STREAM]
        stream_number, size = size, size + 1
        index, data = bytearray(), bytearray()
        for i, number in enumerate(group):
            index += b"%d %d " % (number, len(data))
            data += bodies[number] + b"\n"
            where[number] = (2, stream_number, i)
        content = zlib.compress(bytes(index + data), 9)
        where[stream_number] = (1, len(out), 0)
        header = b"<</Type/ObjStm/N %d/First %d" % (len(group), len(index))
        out += _stream_object(stream_number, header, content)
    xref_number, size = size, size + 1
    xref_start = len(out)
    where[xref_number] = (1, xref_start, 0)
    rows = bytearray()
    for number in range(size):
        kind, second, third = where.get(number, (0, 0, 65535 if number == 0 else 0))
        rows += kind.to_bytes(1, "big") + second.to_bytes(4, "big") + third.to_bytes(2, "big")
    table = zlib.compress(bytes(rows), 9)
    entries = re.sub(rb"/Size\s+\d+", b"", trailer[1][2:-2]).strip()
    out += _stream_object(xref_number, b"<</Type/XRef/Size %d/W[1 4 2]%s" % (size, entries), table)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_start
    return bytes(out) if len(out) < len(pdf) else pdf


def _stream_object(number: int, head: bytes, content: bytes) -> bytes:
    """Return a compressed stream object: ``head`` is its dictionary without the ``>>``."""
    return (
        b"%d 0 obj\n%s/Filter/FlateDecode/Length %d>>\nstream\n" % (number, head, len(content))
        + content
        + b"\nendstream\nendobj\n"
    )


def _packable(body: bytes) -> bool:
    """Return whether an object may go into an object stream: a structure element or a list
    of references (the structure tree's parent arrays), not a stream, without alt text."""
    if body.endswith(b"endstream"):
        return False
    if body.startswith(b"<</Type/StructElem"):
        return b"/Alt" not in body and b"stream" not in body
    return re.fullmatch(rb"\[(?:\s*\d+ 0 R)*\s*\]", body) is not None


def _typst_error(exc: typst.TypstError, template_dir: Path | None) -> Exception:
    """Return the error to raise for a failed compile (a user template error, or a bug)."""
    detail = getattr(exc, "diagnostic", "") or str(exc)
    if template_dir is not None:
        return TemplateError(
            f"Typst could not compile the templates in {template_dir}: {exc.message}",
            None,
            detail.strip().splitlines()[0] if detail.strip() else None,
        )
    return RuntimeError(f"Typst could not compile the shipped templates: {detail}")
