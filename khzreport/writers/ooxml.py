"""Small WordprocessingML helpers for what python-docx does not offer.

python-docx covers paragraphs, runs, tables, sections and named styles; a Chinese briefing
also needs East Asian font slots, character-based indents, paragraph and table borders,
shading, complex fields (TOC, PAGE, NUMPAGES, SEQ, PAGEREF), bookmarks, internal hyperlinks,
pictures with alt text and an SVG rendering, and a package whose bytes do not change from one
build to the next. Each helper here builds or edits one piece of XML and knows nothing about
the briefing; ``writers/docx.py`` decides what goes where.

Word validates the *order* of child elements in property containers (``w:pPr``, ``w:rPr``,
``w:tblPr`` …) and may refuse a file that breaks it, so every helper that adds a property
goes through :func:`set_child`, which inserts in schema order.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from lxml import etree

Element = Any
"""An lxml element (python-docx's ``BaseOxmlElement`` or a loose one)."""

EMU_PER_CM = 360000
TWIPS_PER_MM = 1440 / 25.4
TWIPS_PER_PT = 20

ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
SVG_EXT_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_CONTENT_TYPE = "image/svg+xml"
PICTURE_URI = "http://schemas.openxmlformats.org/drawingml/2006/picture"

# fmt: off
# Child order of property containers (ECMA-376 Part 1, §17.3.1.26, §17.3.2.28, §17.4.60,
# §17.4.70, §17.7.4.17, §17.15.1.78); only tags the briefing writes or may meet are listed.
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
    "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)
RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)
TBLPR_ORDER = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
)
TCPR_ORDER = (
    "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
    "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
)
STYLE_ORDER = (
    "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
    "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked", "w:personal",
    "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr", "w:tblPr", "w:trPr",
    "w:tcPr", "w:tblStylePr",
)
SETTINGS_ORDER = (
    "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation", "w:removeDateAndTime",
    "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape", "w:printPostScriptOverText",
    "w:printFractionalCharacterWidth", "w:printFormsData", "w:embedTrueTypeFonts",
    "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData", "w:mirrorMargins",
    "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
    "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
    "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles",
    "w:stylePaneFormatFilter", "w:stylePaneSortMethod", "w:documentType", "w:mailMerge",
    "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
    "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
    "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit", "w:hyphenationZone",
    "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle",
    "w:defaultTableStyle", "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
    "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
    "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
    "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
    "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
    "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
    "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
    "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
    "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
    "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
    "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
    "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
    "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
    "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)
# fmt: on
BORDER_SIDES = ("top", "left", "bottom", "right", "between", "bar", "insideH", "insideV")


def element(tag: str, attrs: Mapping[str, str] | None = None) -> Element:
    """Return a new element; prefixed ``attrs`` keys (``w:val``) get their namespace."""
    return OxmlElement(tag, {qn(k) if ":" in k else k: v for k, v in (attrs or {}).items()})


def set_child(parent: Element, child: Element, order: Sequence[str]) -> Element:
    """Put ``child`` into ``parent`` in schema order, replacing a child with the same tag.

    Tags missing from ``order`` are appended; existing children not in ``order`` are kept
    where they are.
    """
    for old in parent.findall(child.tag):
        parent.remove(old)
    ranks = _ranks(tuple(order))
    rank = ranks.get(child.tag)
    if rank is not None:
        for i, sibling in enumerate(parent):
            other = ranks.get(sibling.tag)
            if other is not None and other > rank:
                parent.insert(i, child)
                return child
    parent.append(child)
    return child


@functools.lru_cache(maxsize=64)
def _ranks(order: tuple[str, ...]) -> dict[str, int]:
    """Return each tag's place in a schema order, by its namespaced name."""
    return {qn(tag): i for i, tag in enumerate(order)}


def on_off(parent: Element, tag: str, order: Sequence[str], value: bool = True) -> Element:
    """Set a toggle property (``w:keepNext``); ``False`` is written as ``w:val="0"``."""
    return set_child(parent, element(tag, None if value else {"w:val": "0"}), order)


# --- fonts and language -------------------------------------------------------------------


def set_fonts(rpr: Element, latin: str, east_asia: str, *, hint: bool = True) -> Element:
    """Set all four font slots of ``w:rFonts``; ``hint`` marks ambiguous glyphs as CJK.

    Without ``w:eastAsia`` Word and WPS draw Chinese in a Latin fallback font. The
    ``w:hint="eastAsia"`` makes quotation marks, dashes and the middle dot (shared by both
    scripts) take the Chinese font, which is what Chinese text expects.
    """
    attrs = {"w:ascii": latin, "w:hAnsi": latin, "w:eastAsia": east_asia, "w:cs": latin}
    if hint:
        attrs["w:hint"] = "eastAsia"
    return set_child(rpr, element("w:rFonts", attrs), RPR_ORDER)


def set_lang(rpr: Element, latin: str, east_asia: str) -> Element:
    """Set the proofing languages of Latin and East Asian text (``w:lang``)."""
    attrs = {"w:val": latin, "w:eastAsia": east_asia, "w:bidi": "ar-SA"}
    return set_child(rpr, element("w:lang", attrs), RPR_ORDER)


def set_size(rpr: Element, points: float) -> None:
    """Set the font size for all scripts, in points (stored as half-points)."""
    half = str(round(points * 2))
    set_child(rpr, element("w:sz", {"w:val": half}), RPR_ORDER)
    set_child(rpr, element("w:szCs", {"w:val": half}), RPR_ORDER)


def set_color(rpr: Element, color: str) -> Element:
    """Set the text colour (``#RRGGBB`` or ``RRGGBB``)."""
    return set_child(rpr, element("w:color", {"w:val": hex_color(color)}), RPR_ORDER)


def hex_color(color: str) -> str:
    """Return ``RRGGBB`` in upper case from ``#rrggbb``."""
    value = color.lstrip("#").upper()
    if not re.fullmatch(r"[0-9A-F]{6}", value):
        raise ValueError(f"expected a colour as #RRGGBB, got {color!r}")
    return value


# --- paragraph geometry -------------------------------------------------------------------


def set_indent(
    ppr: Element,
    *,
    first_line_chars: float | None = None,
    left_chars: float | None = None,
    right_chars: float | None = None,
    char_points: float,
) -> Element:
    """Set indents in characters (``w:firstLineChars="200"`` = two characters).

    A negative first-line indent is a hanging one (a list item's marker hangs out).

    Word and WPS honour the ``*Chars`` attributes, so the indent follows the font size; the
    twips values, computed from ``char_points``, are the fallback for readers that do not.
    """
    attrs: dict[str, str] = {}
    for name, chars in (
        ("firstLine", first_line_chars),
        ("left", left_chars),
        ("right", right_chars),
    ):
        if chars is None:
            continue
        if name == "firstLine" and chars < 0:
            name, chars = "hanging", -chars
        attrs[f"w:{name}Chars"] = str(round(chars * 100))
        attrs[f"w:{name}"] = str(round(chars * char_points * TWIPS_PER_PT))
    return set_child(ppr, element("w:ind", attrs), PPR_ORDER)


def set_spacing(
    ppr: Element,
    *,
    before_pt: float | None = None,
    after_pt: float | None = None,
    line: float | None = None,
) -> Element:
    """Set space before/after (points) and line spacing as a multiple of single lines."""
    attrs: dict[str, str] = {}
    if before_pt is not None:
        attrs["w:before"] = str(round(before_pt * TWIPS_PER_PT))
    if after_pt is not None:
        attrs["w:after"] = str(round(after_pt * TWIPS_PER_PT))
    if line is not None:
        attrs["w:line"] = str(round(line * 240))
        attrs["w:lineRule"] = "auto"
    return set_child(ppr, element("w:spacing", attrs), PPR_ORDER)


def set_outline_level(ppr: Element, level: int) -> Element:
    """Set the outline level (0 = top) that the navigation pane and ``TOC \\u`` read."""
    return set_child(ppr, element("w:outlineLvl", {"w:val": str(level)}), PPR_ORDER)


@dataclass(frozen=True)
class TabStop:
    """A tab stop: position in twips, alignment and leader (``dot`` for TOC lines)."""

    position: int
    align: str = "left"
    leader: str = "none"


def set_tabs(ppr: Element, stops: Iterable[TabStop]) -> Element:
    """Replace the paragraph's tab stops."""
    tabs = element("w:tabs")
    for stop in stops:
        attrs = {"w:val": stop.align, "w:pos": str(stop.position)}
        if stop.leader != "none":
            attrs["w:leader"] = stop.leader
        tabs.append(element("w:tab", attrs))
    return set_child(ppr, tabs, PPR_ORDER)


# --- borders and shading ------------------------------------------------------------------


@dataclass(frozen=True)
class Border:
    """One border line: width in points, colour, style and distance from the text (pt)."""

    width_pt: float
    color: str
    style: str = "single"
    space_pt: int = 0

    def attrs(self) -> dict[str, str]:
        """Return the attributes of a ``w:top``/``w:bottom``… element."""
        return {
            "w:val": self.style,
            "w:sz": str(round(self.width_pt * 8)),
            "w:space": str(self.space_pt),
            "w:color": hex_color(self.color) if self.style != "nil" else "auto",
        }


NO_BORDER = Border(0, "#000000", "nil")


def set_borders(
    parent: Element, container: str, borders: Mapping[str, Border], order: Sequence[str]
) -> Element:
    """Set ``w:pBdr``, ``w:tblBorders`` or ``w:tcBorders`` with sides in schema order.

    In ``w:pBdr`` the ``between`` side draws rules between consecutive paragraphs that share
    the same borders, which Word and LibreOffice merge into one box.
    """
    box = element(container)
    sides: tuple[str, ...] = BORDER_SIDES
    if container in ("w:tblBorders", "w:tcBorders"):
        sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    for side in sides:
        if side in borders:
            box.append(element(f"w:{side}", borders[side].attrs()))
    unknown = set(borders) - set(sides)
    if unknown:
        raise ValueError(f"unknown border sides for {container}: {sorted(unknown)}")
    return set_child(parent, box, order)


def set_shading(parent: Element, fill: str, order: Sequence[str]) -> Element:
    """Set a solid background (``w:shd``) on a paragraph, run, cell or table."""
    attrs = {"w:val": "clear", "w:color": "auto", "w:fill": hex_color(fill)}
    return set_child(parent, element("w:shd", attrs), order)


# --- tables -------------------------------------------------------------------------------


def set_table_width(tblpr: Element, twips: int) -> Element:
    """Set the preferred table width in twips."""
    return set_child(tblpr, element("w:tblW", {"w:w": str(twips), "w:type": "dxa"}), TBLPR_ORDER)


def set_fixed_layout(tblpr: Element) -> Element:
    """Use the given column widths instead of Word's content-based autofit."""
    return set_child(tblpr, element("w:tblLayout", {"w:type": "fixed"}), TBLPR_ORDER)


def set_cell_margins(
    parent: Element, container: str, margins_pt: Mapping[str, float], order: Sequence[str]
) -> Element:
    """Set cell padding (``w:tblCellMar`` on a table or style, ``w:tcMar`` on a cell)."""
    box = element(container)
    for side in ("top", "left", "bottom", "right"):
        if side in margins_pt:
            twips = str(round(margins_pt[side] * TWIPS_PER_PT))
            box.append(element(f"w:{side}", {"w:w": twips, "w:type": "dxa"}))
    return set_child(parent, box, order)


def set_cell_width(tcpr: Element, twips: int) -> Element:
    """Set a cell's width in twips."""
    return set_child(tcpr, element("w:tcW", {"w:w": str(twips), "w:type": "dxa"}), TCPR_ORDER)


def set_cell_valign(tcpr: Element, value: str) -> Element:
    """Set a cell's vertical alignment (``top``, ``center``, ``bottom``)."""
    return set_child(tcpr, element("w:vAlign", {"w:val": value}), TCPR_ORDER)


def mark_header_row(trpr: Element) -> Element:
    """Repeat this row at the top of every page the table spans (``w:tblHeader``)."""
    return _append_once(trpr, element("w:tblHeader"))


def mark_cant_split(trpr: Element) -> Element:
    """Keep the row on one page (``w:cantSplit``)."""
    return _append_once(trpr, element("w:cantSplit"))


def _append_once(parent: Element, child: Element) -> Element:
    for old in parent.findall(child.tag):
        parent.remove(old)
    parent.append(child)
    return child


# --- fields, bookmarks, links -------------------------------------------------------------


def run(text: str | None = None, style: str | None = None) -> Element:
    """Return a ``w:r`` with optional character style and text (spaces preserved)."""
    r = element("w:r")
    if style:
        rpr = element("w:rPr")
        rpr.append(element("w:rStyle", {"w:val": style}))
        r.append(rpr)
    if text is not None:
        t = element("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
        r.append(t)
    return r


def _fld_char(kind: str, style: str | None, *, dirty: bool = False) -> Element:
    r = run(style=style)
    attrs = {"w:fldCharType": kind}
    if dirty:
        attrs["w:dirty"] = "true"
    r.append(element("w:fldChar", attrs))
    return r


def field_start(instruction: str, style: str | None = None) -> list[Element]:
    """Return the runs that open a complex field up to its result (begin, code, separate).

    Complex fields (not ``w:fldSimple``) let a result span paragraphs, which the TOC needs.
    """
    code = run(style=style)
    instr = element("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction.strip()} "
    code.append(instr)
    return [_fld_char("begin", style), code, _fld_char("separate", style)]


def field_end(style: str | None = None) -> Element:
    """Return the run that closes a complex field."""
    return _fld_char("end", style)


def field(instruction: str, result: str, style: str | None = None) -> list[Element]:
    """Return the runs of a complete field whose cached result is ``result``."""
    return [*field_start(instruction, style), run(result, style), field_end(style)]


def bookmark_start(bookmark_id: int, name: str) -> Element:
    """Return ``w:bookmarkStart``."""
    return element("w:bookmarkStart", {"w:id": str(bookmark_id), "w:name": name})


def bookmark_end(bookmark_id: int) -> Element:
    """Return ``w:bookmarkEnd``."""
    return element("w:bookmarkEnd", {"w:id": str(bookmark_id)})


def wrap_in_bookmark(paragraph: Element, bookmark_id: int, name: str) -> None:
    """Enclose a paragraph's content (after ``w:pPr``) in a bookmark."""
    ppr = paragraph.find(qn("w:pPr"))
    paragraph.insert(0 if ppr is None else 1, bookmark_start(bookmark_id, name))
    paragraph.append(bookmark_end(bookmark_id))


def internal_link(anchor: str, children: Iterable[Element]) -> Element:
    """Return a ``w:hyperlink`` to a bookmark in this document, holding ``children`` runs."""
    link = element("w:hyperlink", {"w:anchor": anchor, "w:history": "1"})
    for child in children:
        link.append(child)
    return link


_BOOKMARK_OK = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def bookmark_name(anchor: str) -> str:
    """Return a Word-valid bookmark name for ``anchor``.

    Word accepts only letters, digits and underscores, starting with a letter, 40 at most;
    a name like ``sec-industry`` is silently dropped by some readers, so hyphens and other
    characters become ``_``, and an over-long or non-ASCII anchor keeps a short hash so that
    two anchors do not collapse into one name.
    """
    if _BOOKMARK_OK.fullmatch(anchor):
        return anchor
    name = anchor.replace("-", "_")
    lossy = re.fullmatch(r"[A-Za-z0-9_]*", name) is None
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not name[:1].isalpha():
        name = "h" + name
    if lossy or len(name) > 40:
        digest = hashlib.sha1(anchor.encode("utf-8")).hexdigest()[:8]
        name = f"{name[:31]}_{digest}"
    return name


# --- pictures -----------------------------------------------------------------------------


def inline_picture(
    *,
    embed: str,
    width_emu: int,
    height_emu: int,
    shape_id: int,
    name: str,
    descr: str,
    svg_embed: str | None = None,
) -> Element:
    """Return a ``wp:inline`` picture; ``descr`` is the alt text readers announce.

    With ``svg_embed`` the blip carries the Office 2016 SVG extension: Word 2016+ draws the
    SVG, older readers and LibreOffice versions without SVG support draw the PNG in
    ``embed``. ``shape_id`` must be unique in the document, so the writer counts them.
    """
    inline = element("wp:inline", {"distT": "0", "distB": "0", "distL": "0", "distR": "0"})
    inline.append(element("wp:extent", {"cx": str(width_emu), "cy": str(height_emu)}))
    inline.append(element("wp:effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"}))
    inline.append(element("wp:docPr", {"id": str(shape_id), "name": name, "descr": descr}))
    frame = element("wp:cNvGraphicFramePr")
    frame.append(OxmlElement("a:graphicFrameLocks", {"noChangeAspect": "1"}))
    inline.append(frame)
    graphic = OxmlElement("a:graphic")
    data = OxmlElement("a:graphicData", {"uri": PICTURE_URI})
    pic = OxmlElement("pic:pic")
    nv = OxmlElement("pic:nvPicPr")
    nv.append(OxmlElement("pic:cNvPr", {"id": str(shape_id), "name": name, "descr": descr}))
    nv.append(OxmlElement("pic:cNvPicPr"))
    pic.append(nv)
    fill = OxmlElement("pic:blipFill")
    blip = OxmlElement("a:blip", {qn("r:embed"): embed})
    if svg_embed is not None:
        ext_list = OxmlElement("a:extLst")
        ext = OxmlElement("a:ext", {"uri": SVG_EXT_URI})
        svg = etree.SubElement(ext, f"{{{ASVG_NS}}}svgBlip", nsmap={"asvg": ASVG_NS})
        svg.set(qn("r:embed"), svg_embed)
        ext_list.append(ext)
        blip.append(ext_list)
    fill.append(blip)
    stretch = OxmlElement("a:stretch")
    stretch.append(OxmlElement("a:fillRect"))
    fill.append(stretch)
    pic.append(fill)
    sppr = OxmlElement("pic:spPr")
    xfrm = OxmlElement("a:xfrm")
    xfrm.append(OxmlElement("a:off", {"x": "0", "y": "0"}))
    xfrm.append(OxmlElement("a:ext", {"cx": str(width_emu), "cy": str(height_emu)}))
    sppr.append(xfrm)
    geom = OxmlElement("a:prstGeom", {"prst": "rect"})
    geom.append(OxmlElement("a:avLst"))
    sppr.append(geom)
    pic.append(sppr)
    data.append(pic)
    graphic.append(data)
    inline.append(graphic)
    return inline


def anchored_picture(
    *,
    embed: str,
    width_emu: int,
    height_emu: int,
    shape_id: int,
    name: str,
    descr: str,
    x_emu: int,
    y_emu: int,
) -> Element:
    """Return a ``wp:anchor`` picture floating over the text, without wrapping it.

    It is placed ``x_emu`` from the left margin and ``y_emu`` below the top of the paragraph
    holding it (negative: above), in front of the text, as a seal is pressed over the 落款.
    """
    inline = inline_picture(
        embed=embed,
        width_emu=width_emu,
        height_emu=height_emu,
        shape_id=shape_id,
        name=name,
        descr=descr,
    )
    anchor = _floating_anchor(shape_id)
    for axis, relative, offset in (("H", "margin", x_emu), ("V", "paragraph", y_emu)):
        position = element(f"wp:position{axis}", {"relativeFrom": relative})
        pos = element("wp:posOffset")
        pos.text = str(offset)
        position.append(pos)
        anchor.append(position)
    children = list(inline)
    anchor.extend(children[:2])  # wp:extent, wp:effectExtent
    anchor.append(element("wp:wrapNone"))
    anchor.extend(children[2:])  # wp:docPr, wp:cNvGraphicFramePr, a:graphic
    return anchor


def _floating_anchor(shape_id: int) -> Element:
    """Return an empty ``wp:anchor`` in front of the text, its position still to be added."""
    anchor = element(
        "wp:anchor",
        {
            "distT": "0",
            "distB": "0",
            "distL": "0",
            "distR": "0",
            "simplePos": "0",
            "relativeHeight": str(251659264 + shape_id),
            "behindDoc": "0",
            "locked": "0",
            "layoutInCell": "1",
            "allowOverlap": "1",
        },
    )
    anchor.append(element("wp:simplePos", {"x": "0", "y": "0"}))
    return anchor


WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"


def text_box_at_page_foot(
    paragraphs: Sequence[Element], *, width_emu: int, height_emu: int, shape_id: int, name: str
) -> Element:
    """Return a ``w:r`` holding a text box with ``paragraphs``, at the foot of the text block.

    The box is anchored to the paragraph holding the run but placed at the bottom of the
    page's margins (its text set at the box's foot), without wrapping: Word and LibreOffice
    both draw it on the page where its paragraph falls and let that paragraph keep the room
    for it. Wrapped in ``mc:AlternateContent`` as Word writes a DrawingML shape.
    """
    anchor = _floating_anchor(shape_id)
    horizontal = element("wp:positionH", {"relativeFrom": "margin"})
    offset = element("wp:posOffset")
    offset.text = "0"
    horizontal.append(offset)
    vertical = element("wp:positionV", {"relativeFrom": "margin"})
    align = element("wp:align")
    align.text = "bottom"
    vertical.append(align)
    anchor.extend([horizontal, vertical])
    anchor.append(element("wp:extent", {"cx": str(width_emu), "cy": str(height_emu)}))
    anchor.append(element("wp:effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"}))
    anchor.append(element("wp:wrapNone"))
    anchor.append(element("wp:docPr", {"id": str(shape_id), "name": name}))
    anchor.append(element("wp:cNvGraphicFramePr"))

    def sub(parent: Element, ns: str, tag: str, **attrs: str) -> Element:
        return etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)

    graphic = etree.SubElement(anchor, f"{{{A_NS}}}graphic", nsmap={"a": A_NS})
    data = sub(graphic, A_NS, "graphicData", uri=WPS_NS)
    shape = etree.SubElement(data, f"{{{WPS_NS}}}wsp", nsmap={"wps": WPS_NS})
    sub(shape, WPS_NS, "cNvSpPr", txBox="1")
    shape_props = sub(shape, WPS_NS, "spPr")
    xfrm = sub(shape_props, A_NS, "xfrm")
    sub(xfrm, A_NS, "off", x="0", y="0")
    sub(xfrm, A_NS, "ext", cx=str(width_emu), cy=str(height_emu))
    sub(sub(shape_props, A_NS, "prstGeom", prst="rect"), A_NS, "avLst")
    sub(shape_props, A_NS, "noFill")
    sub(sub(shape_props, A_NS, "ln"), A_NS, "noFill")
    content = element("w:txbxContent")
    content.extend(paragraphs)
    sub(shape, WPS_NS, "txbx").append(content)
    body = sub(shape, WPS_NS, "bodyPr", rot="0", vert="horz", wrap="square")
    body.attrib.update({"lIns": "0", "tIns": "0", "rIns": "0", "bIns": "0", "anchor": "b"})
    sub(body, A_NS, "noAutofit")
    alternate = etree.Element(f"{{{MC_NS}}}AlternateContent", nsmap={"mc": MC_NS})
    choice = etree.SubElement(alternate, f"{{{MC_NS}}}Choice", Requires="wps")
    choice.append(drawing_run(anchor)[0])
    run = element("w:r")
    run.append(alternate)
    return run


def drawing_run(inline: Element) -> Element:
    """Return a ``w:r`` holding a ``w:drawing`` with the given inline or anchored picture."""
    r = element("w:r")
    drawing = element("w:drawing")
    drawing.append(inline)
    r.append(drawing)
    return r


# --- document-wide parts ------------------------------------------------------------------


def set_doc_defaults(
    styles: Element,
    *,
    latin: str,
    east_asia: str,
    size_pt: float,
    lang_latin: str,
    lang_east_asia: str,
) -> Element:
    """Replace ``w:docDefaults`` with explicit fonts, size and language (no theme fonts)."""
    for old in styles.findall(qn("w:docDefaults")):
        styles.remove(old)
    defaults = element("w:docDefaults")
    rpr_default = element("w:rPrDefault")
    rpr = element("w:rPr")
    set_fonts(rpr, latin, east_asia)
    set_size(rpr, size_pt)
    set_lang(rpr, lang_latin, lang_east_asia)
    rpr_default.append(rpr)
    ppr_default = element("w:pPrDefault")
    ppr = element("w:pPr")
    on_off(ppr, "w:widowControl", PPR_ORDER)
    set_spacing(ppr, after_pt=0)
    ppr_default.append(ppr)
    defaults.append(rpr_default)
    defaults.append(ppr_default)
    styles.insert(0, defaults)
    return defaults


def set_setting(settings: Element, child: Element) -> Element:
    """Set one child of ``w:settings`` in schema order."""
    return set_child(settings, child, SETTINGS_ORDER)


def configure_settings(settings: Element, *, lang_latin: str, lang_east_asia: str) -> None:
    """Ask Word to refresh fields on open and use Chinese punctuation rules.

    ``w:updateFields`` makes Word recompute the TOC page numbers (the writer pre-fills the
    entries); ``compressPunctuation`` is the usual setting of Chinese Word documents.
    Compatibility mode 15 (Word 2013+) aligns table edges with the text margin instead of
    pulling them left by the cell padding.
    """
    set_setting(settings, element("w:updateFields", {"w:val": "true"}))
    set_setting(settings, element("w:characterSpacingControl", {"w:val": "compressPunctuation"}))
    set_setting(
        settings, element("w:themeFontLang", {"w:val": lang_latin, "w:eastAsia": lang_east_asia})
    )
    for tag in ("w:rsids", "w:proofState"):
        for old in settings.findall(qn(tag)):
            settings.remove(old)
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = set_setting(settings, element("w:compat"))
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            compat.remove(setting)
    compat.append(
        element(
            "w:compatSetting",
            {
                "w:name": "compatibilityMode",
                "w:uri": "http://schemas.microsoft.com/office/word",
                "w:val": "15",
            },
        )
    )


# Alternate (English) names let Word on a Mac or an English system find the Chinese faces.
CJK_FONT_ALIASES = {
    "宋体": "SimSun",
    "黑体": "SimHei",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
    "微软雅黑": "Microsoft YaHei",
    "仿宋_GB2312": "FangSong_GB2312",
    "楷体_GB2312": "KaiTi_GB2312",
    "方正小标宋简体": "FZXiaoBiaoSong-B05S",
    "等线": "DengXian",
}


def font_table_xml(latin: Iterable[str], east_asia: Iterable[str]) -> bytes:
    """Return a ``word/fontTable.xml`` listing the fonts the styles name.

    CJK faces get charset 86 (GB2312) and their English alternate name, which tells Word and
    WPS to substitute a Chinese font rather than a Latin one when the face is missing.
    """
    w_ns = nsmap["w"]
    root = etree.Element(f"{{{w_ns}}}fonts", nsmap={"w": w_ns})
    for name in dict.fromkeys(east_asia):
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        if name in CJK_FONT_ALIASES:
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): CJK_FONT_ALIASES[name]})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "auto"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    for name in dict.fromkeys(latin):
        if name in root.xpath("w:font/@w:name", namespaces=nsmap):
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "00"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "auto"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def app_xml(application: str, company: str) -> bytes:
    """Return a minimal ``docProps/app.xml`` naming the producing application."""
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<Properties xmlns="{ns}">'
        f"<Application>{escape(application)}</Application>"
        f"<Company>{escape(company)}</Company>"
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode()


# --- text and package ---------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> tuple[str, int]:
    """Return ``text`` without characters XML 1.0 cannot hold, and how many were removed.

    Control characters (other than tab, newline, carriage return), U+FFFE/U+FFFF and lone
    surrogates make lxml raise; they come from pasted spreadsheet cells and are never
    meant to be printed.
    """
    cleaned, count = _NOT_XML.subn("", text)
    return cleaned, count


_FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")


def normalise_package(
    data: bytes,
    *,
    date_time: tuple[int, int, int, int, int, int],
    replace: Mapping[str, bytes] | None = None,
) -> bytes:
    """Return the ZIP ``data`` rewritten so that equal content gives equal bytes.

    python-docx stamps each entry with the current time; this writes the content types and
    package relationships first, every other entry in name order, all with ``date_time``
    and the same compression and attributes. ``replace`` swaps the content of named entries.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    return package_bytes(entries, date_time=date_time, replace=replace)


def package_bytes(
    entries: Mapping[str, bytes],
    *,
    date_time: tuple[int, int, int, int, int, int],
    replace: Mapping[str, bytes] | None = None,
) -> bytes:
    """Return the normalised ZIP of ``entries`` (name to content), as
    :func:`normalise_package` writes it, for a writer that holds its entries already."""
    replace = dict(replace or {})
    missing = set(replace) - set(entries)
    if missing:
        raise KeyError(f"cannot replace entries missing from the package: {sorted(missing)}")
    entries = {**entries, **replace}
    names = [n for n in _FIRST_ENTRIES if n in entries]
    names += sorted(n for n in entries if n not in _FIRST_ENTRIES)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


# --- watermark -----------------------------------------------------------------------------

_VML = "urn:schemas-microsoft-com:vml"
_OFFICE = "urn:schemas-microsoft-com:office:office"
_WATERMARK_SHAPE = f"""\
<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
xmlns:v="{_VML}" xmlns:o="{_OFFICE}">
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" \
path="m@7,l@8,m@5,21600l@6,21600e">
<v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>\
<v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>\
<v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>\
<v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>\
<v:f eqn="sum @6 0 @5"/></v:formulas>
<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" \
o:connectangles="270,180,90,0"/>
<v:textpath on="t" fitshape="t"/>
<o:lock v:ext="edit" text="t" shapetype="t"/>
</v:shapetype>
<v:shape id="{{id}}" o:spid="_x0000_s{{spid}}" type="#_x0000_t136" \
style="position:absolute;margin-left:0;margin-top:0;width:{{width}}pt;height:{{height}}pt;rotation:315;\
z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;\
mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" \
fillcolor="{{color}}" stroked="f">
<v:fill opacity=".25"/>
<v:textpath style="font-family:&quot;{{font}}&quot;;font-size:1pt" string="{{text}}"/>
</v:shape>
</w:pict>"""


def watermark_run(text: str, font: str, color: str, number: int) -> Element:
    """Return a run holding Word's own kind of watermark: WordArt text behind the page.

    Placed in a header, it shows on every page that header serves, diagonally across the
    text area, as Word's Design > Watermark makes it (a VML text path; Word and WPS show it).
    """
    width = 80 * max(2, len(text)) if any(ord(ch) > 0x2E7F for ch in text) else 48 * len(text)
    xml = (
        _WATERMARK_SHAPE.replace("{id}", f"KhzWatermark{number}")
        .replace("{spid}", str(2049 + number))
        .replace("{width}", str(width))
        .replace("{height}", str(round(width / max(2, len(text)) * 1.1)))
        .replace("{color}", "#" + hex_color(color))
        .replace("{font}", escape(font, {'"': "&quot;"}))
        .replace("{text}", escape(text, {'"': "&quot;"}))
    )
    r = run()
    r.append(etree.fromstring(xml))
    return r


def set_doc_grid(sect_pr: Element, page: Any, lines: int) -> Element:
    """Set the section's document grid to ``lines`` a page (Word's 文档网格, 每页 22 行 for
    GB/T 9704): the line pitch is the text block's height over the lines. Characters a line
    are kept by the body styles' letter spacing, which every reader honours the same way.
    """
    height_pt = (page.height_mm - page.margin_top - page.margin_bottom) * 72 / 25.4
    attrs = {"w:type": "lines", "w:linePitch": str(math.floor(height_pt / lines * TWIPS_PER_PT))}
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = element("w:docGrid")
        sect_pr.append(grid)
    for key in list(grid.attrib):
        del grid.attrib[key]
    for key, value in attrs.items():
        grid.set(qn(key), value)
    return grid
