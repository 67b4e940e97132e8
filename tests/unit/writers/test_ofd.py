"""The OFD writer: the PDF's pages as a GB/T 33190 package, read back part by part."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from khzreport.errors import FontError
from khzreport.writers.ofd import OFD_NAMESPACE, pdf_to_ofd, render_ofd
from khzreport.writers.pdf import render_pdf
from tests.support.documents import sample_document, sample_photo
from tests.support.pdf import charts

NS = {"ofd": OFD_NAMESPACE}


class Package:
    """An OFD package opened for reading: its parts by name, XML parsed on demand."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = self.zip.namelist()

    def xml(self, name: str) -> ET.Element:
        return ET.fromstring(self.zip.read(name))

    def document(self) -> ET.Element:
        return self.xml(self.doc_root())

    def doc_root(self) -> str:
        root = self.xml("OFD.xml").find("ofd:DocBody/ofd:DocRoot", NS)
        assert root is not None and root.text
        return root.text

    def page_files(self) -> list[str]:
        folder = self.doc_root().rsplit("/", 1)[0]
        pages = self.document().findall("ofd:Pages/ofd:Page", NS)
        return [f"{folder}/{p.get('BaseLoc')}" for p in pages]

    def fonts(self) -> dict[str, tuple[ET.Element, str]]:
        """Return each font by ID with the package path of its file."""
        folder = self.doc_root().rsplit("/", 1)[0]
        res = self.xml(f"{folder}/PublicRes.xml")
        base = res.get("BaseLoc")
        return {
            f.get("ID", ""): (f, f"{folder}/{base}/{f.findtext('ofd:FontFile', '', NS)}")
            for f in res.findall("ofd:Fonts/ofd:Font", NS)
        }

    def text_by_font(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in self.page_files():
            for obj in self.xml(name).iter(f"{{{OFD_NAMESPACE}}}TextObject"):
                codes = "".join(c.text or "" for c in obj.findall("ofd:TextCode", NS))
                out[obj.get("Font", "")] = out.get(obj.get("Font", ""), "") + codes
        return out

    def text(self) -> str:
        return "".join(self.text_by_font().values())


@pytest.fixture(scope="module")
def photo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("photo")


@pytest.fixture(scope="module")
def built(photo_folder: Path) -> tuple[bytes, bytes]:
    """Return (PDF, OFD) of the sample briefing with a photo and two charts."""
    doc = sample_document(image=sample_photo(str(photo_folder)))
    pdf = render_pdf(doc, charts())
    return pdf, render_ofd(doc, charts(), pdf=pdf)


def test_the_package_has_the_parts_the_standard_requires(built: tuple[bytes, bytes]) -> None:
    package = Package(built[1])
    ofd = package.xml("OFD.xml")
    assert (
        ofd.tag == f"{{{OFD_NAMESPACE}}}OFD" and ofd.get("Version") and ofd.get("DocType") == "OFD"
    )
    info = ofd.find("ofd:DocBody/ofd:DocInfo", NS)
    assert info is not None and re.fullmatch(r"[0-9a-f]{32}", info.findtext("ofd:DocID", "", NS))
    assert info.findtext("ofd:Title", "", NS) == "昆山高新区2023年度发展简报"
    assert info.findtext("ofd:Author", "", NS) == "昆山高新区管委会"
    assert info.findtext("ofd:CreationDate", "", NS) == "2024-01-15"
    assert package.doc_root() == "Doc_0/Document.xml"
    document = package.document()
    common = document.find("ofd:CommonData", NS)
    assert common is not None
    box = common.findtext("ofd:PageArea/ofd:PhysicalBox", "", NS)
    assert [float(v) for v in box.split()] == pytest.approx([0, 0, 210, 297], abs=0.01)
    for part in ("PublicRes", "DocumentRes"):
        assert f"Doc_0/{common.findtext(f'ofd:{part}', '', NS)}" in package.names
    pages = package.page_files()
    assert len(pages) == len(__import__("pypdf").PdfReader(io.BytesIO(built[0])).pages)
    assert all(p in package.names for p in pages)
    # Every object has a unit ID of its own, none above MaxUnitID.
    ids = [
        int(e.get("ID", "0"))
        for name in package.names
        if name.endswith(".xml")
        for e in package.xml(name).iter()
        if e.get("ID") is not None
    ]
    assert len(ids) == len(set(ids))
    assert max(ids) == int(common.findtext("ofd:MaxUnitID", "0", NS))


def test_text_is_searchable_text_objects_with_the_figures(built: tuple[bytes, bytes]) -> None:
    package = Package(built[1])
    text = package.text()
    for figure in ("突破740亿元", "500亿元", "布局新赛道新领域", "创新平台加速汇聚"):
        assert figure in text, figure
    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:  # the same characters as the PDF shows, one for one
        shown = subprocess.run(
            [pdftotext, "-", "-"], input=built[0], capture_output=True, check=True
        ).stdout.decode("utf-8")
        strip = re.compile(r"[\s\u2060\u00ad]")
        assert sorted(strip.sub("", shown)) == sorted(strip.sub("", text))
    code = next(
        c
        for name in package.page_files()
        for c in package.xml(name).iter(f"{{{OFD_NAMESPACE}}}TextCode")
        if len(c.text or "") > 3
    )
    assert code.get("DeltaX") and code.get("X") and code.get("Y")


def test_fonts_are_embedded_with_a_glyph_for_every_character_shown(
    built: tuple[bytes, bytes],
) -> None:
    """Every character shown has a glyph: through the font's character map, or through a
    CGTransform naming the PDF's own glyph (a ligature, or two dashes drawn as one)."""
    package = Package(built[1])
    fonts = package.fonts()
    assert fonts
    loaded = {}
    for font_id, (element, path) in fonts.items():
        assert element.get("FontName") and element.get("FamilyName")
        font = TTFont(io.BytesIO(package.zip.read(path)))
        assert "glyf" in font  # TrueType outlines, which every OFD reader draws
        assert len(font.getGlyphOrder()) < 2000  # a subset, not the whole CJK face
        loaded[font_id] = (font.getBestCmap(), len(font.getGlyphOrder()))
    shown = 0
    for name in package.page_files():
        for obj in package.xml(name).iter(f"{{{OFD_NAMESPACE}}}TextObject"):
            cmap, glyph_count = loaded[obj.get("Font", "")]
            covered: set[int] = set()
            for child in obj:
                if child.tag.endswith("CGTransform"):
                    first = int(child.get("CodePosition", ""))
                    covered.update(range(first, first + int(child.get("CodeCount", "1"))))
                    assert int(child.findtext("ofd:Glyphs", "", NS)) < glyph_count
                elif child.tag.endswith("TextCode"):
                    for i, char in enumerate(child.text or ""):
                        assert i in covered or ord(char) in cmap, (obj.get("Font"), char)
                        shown += 1
                    covered = set()
    assert shown > 300


def test_charts_are_vector_paths_and_the_photo_an_image(built: tuple[bytes, bytes]) -> None:
    package = Package(built[1])
    paths = [
        p
        for name in package.page_files()
        for p in package.xml(name).iter(f"{{{OFD_NAMESPACE}}}PathObject")
    ]
    assert len(paths) > 20
    data = " ".join(p.findtext("ofd:AbbreviatedData", "", NS) for p in paths)
    assert re.search(r"\bM [\d.]+ [\d.]+ L ", data) and " B " in data  # lines and curves
    assert any(p.get("Fill") == "true" for p in paths)
    images = [
        i
        for name in package.page_files()
        for i in package.xml(name).iter(f"{{{OFD_NAMESPACE}}}ImageObject")
    ]
    assert len(images) == 1
    res = package.xml("Doc_0/DocumentRes.xml")
    media = res.find("ofd:MultiMedias/ofd:MultiMedia", NS)
    assert media is not None and media.get("ID") == images[0].get("ResourceID")
    photo = package.zip.read(
        f"Doc_0/{res.get('BaseLoc')}/{media.findtext('ofd:MediaFile', '', NS)}"
    )
    assert Image.open(io.BytesIO(photo)).size == (800, 500)
    ctm = [float(v) for v in images[0].get("CTM", "").split()]
    width, height = (float(v) for v in images[0].get("Boundary", "").split()[2:])
    assert ctm[0] == pytest.approx(width, abs=0.01) and ctm[3] == pytest.approx(height, abs=0.01)


def test_the_outline_goes_to_the_pages_of_the_headings(built: tuple[bytes, bytes]) -> None:
    package = Package(built[1])
    document = package.document()
    page_ids = {p.get("ID") for p in document.findall("ofd:Pages/ofd:Page", NS)}
    items = document.findall(".//ofd:OutlineElem", NS)
    titles = [i.get("Title") for i in items]
    assert "布局新赛道新领域" in titles and "创新平台加速汇聚" in titles
    for item in items:
        dest = item.find("ofd:Actions/ofd:Action/ofd:Goto/ofd:Dest", NS)
        assert dest is not None and dest.get("PageID") in page_ids


def test_nothing_refers_outside_the_package(built: tuple[bytes, bytes]) -> None:
    package = Package(built[1])
    for name in package.names:
        if name.endswith(".xml"):
            text = package.zip.read(name).decode("utf-8").replace(OFD_NAMESPACE, "")
            assert not re.search(r"(https?|file):|\.\./|\"/", text), name


def test_two_builds_are_byte_identical(photo_folder: Path, built: tuple[bytes, bytes]) -> None:
    doc = sample_document(image=sample_photo(str(photo_folder)))
    again = render_ofd(doc, charts())  # typeset again, not handed the PDF
    assert again == built[1]
    stamps = {i.date_time for i in zipfile.ZipFile(io.BytesIO(again)).infolist()}
    assert stamps == {(2024, 1, 15, 0, 0, 0)}


def test_the_pdfs_own_subsets_are_embedded_without_the_theme_files(
    built: tuple[bytes, bytes],
) -> None:
    assert pdf_to_ofd(built[0], [], "2024-01-15") == built[1]


def test_a_font_neither_embedded_nor_in_the_theme_is_a_located_error() -> None:
    from khzreport.writers.ofd import _Package
    from khzreport.writers.ofd_pages import FontInfo

    package = _Package([], {})
    package.font_chars[1] = {"字"}
    with pytest.raises(FontError, match="no font file of the theme holds") as info:
        package._embed(1, FontInfo(1, "NoSuchFace-Regular", {}, 1000.0, {}, True))
    assert info.value.location is not None and info.value.location.path == "theme.fonts"


def test_a_turned_line_keeps_its_characters_where_the_pdf_put_them() -> None:
    """A chart's axis title set upright-turned (90°) gets a CTM; CTM × (X, Y) + the
    boundary's corner gives back each character's place on the page."""
    from khzreport.writers.ofd import _Package
    from khzreport.writers.ofd_pages import FontInfo, PageContent, TextRun

    font = FontInfo(1, "Face", {}, 1000.0, {}, True)
    k = 25.4 / 72
    chars = [("单", 50.0, 100.0), ("位", 50.0, 100.0 - 9 * k), ("万", 50.0, 100.0 - 18 * k)]
    run = TextRun(font, 9.0, (0.0, -k, k, 0.0), chars, (0, 0, 0), None)
    package = _Package([PageContent(210, 297, [run])], {})
    package.font_ids[1] = 7
    layer = ET.Element("layer")
    package._text(layer, run)
    obj = layer[0]
    a, b, c, d, e, f = (float(v) for v in obj.get("CTM", "").split())
    left, top = (float(v) for v in obj.get("Boundary", "").split()[:2])
    code = obj.find("ofd:TextCode", NS)
    assert code is not None and code.text == "单位万" and obj.get("Size") == "9"
    x, y = float(code.get("X", "")), float(code.get("Y", ""))
    deltas = [float(v) for v in code.get("DeltaX", "").split()]
    for i, (_, px, py) in enumerate(chars):
        ox = x + sum(deltas[:i])
        assert a * ox + c * y + e + left == pytest.approx(px, abs=0.01)
        assert b * ox + d * y + f + top == pytest.approx(py, abs=0.01)


def test_an_ofd_past_the_page_cap_is_refused_as_the_pdf_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from khzreport.errors import ValidationError
    from khzreport.writers import pdf

    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 1)
    with pytest.raises(ValidationError, match="more than 1"):
        render_ofd(sample_document(), charts())


def test_what_the_package_cannot_carry_is_a_warning(built: tuple[bytes, bytes]) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, NameObject

    from khzreport.diagnostics import Diagnostics
    from khzreport.writers.ofd import theme_fonts

    fonts = theme_fonts(sample_document().theme)
    found = Diagnostics()
    pdf_to_ofd(built[0], fonts, "2024-01-15", found)
    assert list(found) == []  # Typst's own pages: everything carried
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built[0])))
    page = writer.pages[0]
    content = ContentStream(page.get_contents(), writer)
    content.operations.append(([NameObject("/Sh0")], b"sh"))
    page.replace_contents(content)
    shaded = io.BytesIO()
    writer.write(shaded)
    pdf_to_ofd(shaded.getvalue(), fonts, "2024-01-15", found)
    assert [d.code for d in found] == ["ofd-not-carried"]
    assert "shadings" in next(iter(found)).message


def test_the_contents_entries_go_to_their_pages(built: tuple[bytes, bytes]) -> None:
    from pypdf import PdfReader

    package = Package(built[1])
    document = package.document()
    page_ids = [p.get("ID") for p in document.findall("ofd:Pages/ofd:Page", NS)]
    outline = {
        e.get("Title"): e.find("ofd:Actions/ofd:Action/ofd:Goto/ofd:Dest", NS)
        for e in document.iter(f"{{{OFD_NAMESPACE}}}OutlineElem")
    }
    first = package.xml(package.page_files()[0])
    actions = first.findall("ofd:Actions/ofd:Action", NS)
    links = [a for p in PdfReader(io.BytesIO(built[0])).pages[:1] for a in p["/Annots"]]
    assert len(actions) == len(links) == 2
    for action, title in zip(actions, ("布局新赛道新领域", "创新平台加速汇聚"), strict=True):
        area = action.find("ofd:Region/ofd:Area", NS)
        assert area is not None and len(area.findall("ofd:Line", NS)) == 3
        dest = action.find("ofd:Goto/ofd:Dest", NS)
        heading = outline[title]
        assert dest is not None and heading is not None and dest.get("PageID") in page_ids
        assert dest.get("PageID") == heading.get("PageID")
        assert float(dest.get("Top", "")) == pytest.approx(float(heading.get("Top", "")), abs=1)


def test_a_pdf_font_is_found_by_its_postscript_or_its_full_name() -> None:
    from khzreport.writers.ofd import theme_fonts
    from khzreport.writers.ofd_fonts import faces_of, find_face

    faces = faces_of(theme_fonts(sample_document().theme))
    exact = next(face for key, face in faces.items() if not key.startswith("~"))
    assert find_face(faces, exact.postscript) == exact
    with TTFont(exact.path, fontNumber=exact.index, lazy=True) as font:
        full = font["name"].getDebugName(4)
    assert full and find_face(faces, full) == exact
    assert find_face(faces, "NoSuchFace-Regular") is None


def test_shows_that_carry_on_a_line_are_one_text_code_without_spaces_at_its_ends() -> None:
    """Typst shows a boxed figure on its own; a reader that trims a code's text, or that
    joins runs by the gap it guesses between them, still reads ``90 seconds at an``."""
    from khzreport.writers.ofd import _Package
    from khzreport.writers.ofd_pages import FontInfo, PageContent, TextRun

    font = FontInfo(1, "Face", {}, 1000.0, {}, True)
    k = 25.4 / 72

    def run(text: str, x: float) -> TextRun:
        chars = [(c, x + i * 2.0, 50.0) for i, c in enumerate(text)]
        return TextRun(font, 10.0, (k, 0.0, 0.0, k), chars, (0, 0, 0), None)

    page = PageContent(210, 297, [run("every 90 seconds", 20.0), run(" at an ", 52.0)])
    package = _Package([page], {})
    package.font_ids[1] = 3
    root = ET.fromstring(package._page(page))
    objects = root.findall(".//ofd:TextObject", NS)
    assert len(objects) == 1
    codes = [(c.text, float(c.get("X", ""))) for c in objects[0].findall("ofd:TextCode", NS)]
    assert [text for text, _ in codes] == ["every 90 seconds at an", " "]
    assert codes[1][0] == " " and codes[1][1] > codes[0][1]
