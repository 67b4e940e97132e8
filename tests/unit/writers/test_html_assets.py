"""The HTML page embeds each photo once, however many figures show it (as DOCX and PDF do)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import lxml.html

from khzreport.document import Figure
from khzreport.writers.html import render_html
from tests.support.documents import sample_document, sample_photo


class TestEachPhotoIsEmbeddedOnce:
    def test_twenty_figures_of_one_photo_hold_one_copy(self, tmp_path: Path) -> None:
        doc = sample_document(image=sample_photo(str(tmp_path)))
        doc = dataclasses.replace(
            doc, base_dir=str(tmp_path), blocks=tuple(b for b in doc.blocks if not _chart(b))
        )
        photo = next(b for b in doc.blocks if isinstance(b, Figure))
        once = render_html(doc, {})
        copies = tuple(
            dataclasses.replace(photo, number=photo.number + i, anchor=f"fig-copy-{i}")
            for i in range(1, 20)
        )
        many = render_html(dataclasses.replace(doc, blocks=(*doc.blocks, *copies)), {})
        html = many.decode("utf-8")
        assert html.count("data:image/jpeg;base64,") == 1
        assert len(many) < len(once) + 20 * 1000
        tree = lxml.html.document_fromstring(html)
        uses = [svg for svg in tree.iter("svg") if "photo" in (svg.get("class") or "").split()]
        assert len(uses) == 20
        symbol = tree.xpath("//symbol")
        assert len(symbol) == 1 and symbol[0].get("id") == "photo-1"
        for svg in uses:
            assert svg.get("role") == "img" and svg.get("aria-label") == photo.alt
            assert svg.find("use").get("href") == "#photo-1"
            assert (svg.get("width"), svg.get("height")) == ("800", "500")
        assert list(tree.iter("img")) == []

    def test_a_photo_shown_once_stays_an_img(self, tmp_path: Path) -> None:
        doc = sample_document(image=sample_photo(str(tmp_path)))
        html = render_html(dataclasses.replace(doc, base_dir=str(tmp_path)), {}).decode("utf-8")
        assert html.count("data:image/jpeg;base64,") == 1
        assert "<symbol" not in html and "<img src=\"data:image/jpeg" in html


def _chart(block: object) -> bool:
    return isinstance(block, Figure) and block.chart is not None
