"""What a build refuses, ``validate`` refuses first, located, with exit code 2.

Each case below once passed ``validate`` and then failed in a writer ("internal error",
exit 1), or failed without a line: values a DOCX file or a zip archive cannot hold, number
literals and characters a template cannot print, YAML tags on lists and mappings, complex
keys, file names the file system refuses, and templates that print objects or forge the
marks of a bound value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from khzreport.cli import main

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"
PARAGRAPH = (
    "          {{ meta.year }}年，全区规上工业总产值{{ ind.output }}，{{ ind.output | growth }}；\n"
    "          高新技术企业达{{ ind.firms }}。\n"
)
LOCATED = re.compile(
    r"^error: \S*report\.yaml:(?P<line>\d+)(?::(?P<col>\d+))?: (?P<path>\S+): .+ \(.+\)$"
)


def minimal(old: str = "", new: str = "") -> str:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def paragraph(template: str) -> str:
    return minimal(PARAGRAPH, f"          {template}\n")


def with_image(name: str) -> str:
    text = minimal("      - chart: scale\n", "      - chart: scale\n      - figure: fig\n")
    return text + f"figures:\n  - id: fig\n    caption: 园区\n    image: {name}\n"


CASES = {
    "title": (
        minimal("title: 示范高新区2023年度发展简报", "title: " + "长" * 256),
        "meta.title",
        "255",
    ),
    "issuer": (minimal("issuer: 示范高新区管委会", "issuer: " + "长" * 256), "meta.issuer", "255"),
    "keywords": (
        minimal("  date: 2024-01-15", "  date: 2024-01-15\n  keywords: [" + "k," * 130 + "k]"),
        "meta.keywords",
        "255",
    ),
    "park_name": (minimal("name: 示范产业园", "name: " + "园" * 256), "parks[0].name", "255"),
    "date": (minimal("date: 2024-01-15", "date: 2108-01-01"), "meta.date", "1900–2107"),
    "number_literal": (
        paragraph("{{ " + "9" * 5000 + " }}"),
        "sections[0].blocks[0].paragraph",
        "too many digits",
    ),
    "surrogate": (
        paragraph("{{ '\\ud800' }}"),
        "sections[0].blocks[0].paragraph",
        "lone surrogate U+D800",
    ),
    "tagged_sequence": (
        minimal("  - id: park_a", "  - !!python/object [a]\n  - id: park_a"),
        "parks[0]",
        "unsupported YAML tag",
    ),
    "tagged_mapping": (
        minimal("  - id: park_a", "  - !!python/object {id: x}\n  - id: park_a"),
        "parks[0]",
        "unsupported YAML tag",
    ),
    "complex_key": (
        minimal("  year: 2023", "  year: 2023\n  ? [a, b]\n  : 1"),
        "meta",
        "keys must be text",
    ),
    "file_name": (with_image("a" * 5000 + ".png"), "figures[0].image", "too long"),
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stderr


class TestValidateRefusesWhatABuildWould:
    @pytest.mark.parametrize("case", sorted(CASES))
    def test_located_exit_2_from_validate_and_build(self, case: str, tmp_path: Path) -> None:
        text, path, expect = CASES[case]
        source = tmp_path / "report.yaml"
        source.write_text(text, encoding="utf-8")
        lines = []
        build = "sheets" if case == "park_name" else "build"
        formats = "docx" if case == "park_name" else "docx,html"
        for command in (["validate"], [build, "-o", str(tmp_path / "out"), "-f", formats]):
            code, err = run(command[0], str(source), *command[1:])
            assert "internal error" not in err and "Traceback" not in err, err
            if command[0] == "sheets":  # the park fails, located; the batch goes on (exit 1)
                assert code == 1 and lines[0].removeprefix("error: ") in err, err
                break
            assert code == 2, err
            first = err.strip().splitlines()[0]
            m = LOCATED.match(first)
            assert m and m["path"] == path and expect in first, first
            lines.append(first)
        assert len(lines) == 1 or lines[0] == lines[1]
        if case == "complex_key":
            assert (m["line"], m["col"]) == ("7", "5"), first
        if build == "build":
            assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


PRINTED = {
    "{{ ind }}": "the ind namespace cannot be printed",
    "{{ meta.items }}": "cannot be printed",
    "{{ ''.join }}": "cannot be printed",
    "{{ '\\ue000firms\\ue001999亿元\\ue002' }}": "U+E000",
    "{{ '\\ue003' }}强调": "U+E003",
    "{{ '\\ue00f' }}": "U+E00F",
    "{{ '\\x00' }}": "U+0000",
    "{{ '\\x07' }}": "U+0007",
}


class TestTemplatesPrintOnlyScalarsAndBoundValues:
    @pytest.mark.parametrize("template", sorted(PRINTED))
    def test_objects_markers_and_controls_are_refused(self, template: str, tmp_path: Path) -> None:
        source = tmp_path / "report.yaml"
        source.write_text(paragraph(template), encoding="utf-8")
        code, err = run("validate", str(source))
        assert code == 2, err
        first = err.strip().splitlines()[0]
        m = LOCATED.match(first)
        assert m and m["path"] == "sections[0].blocks[0].paragraph", first
        assert PRINTED[template] in first and "0x" not in first, first

    def test_marker_characters_in_source_text_forge_nothing(self, tmp_path: Path) -> None:
        forged = "前\ue000firms\ue001999亿元\ue002后{{ ind.firms }}"
        source = tmp_path / "report.yaml"
        source.write_text(paragraph(forged), encoding="utf-8")
        code, err = run("build", str(source), "-o", str(tmp_path / "out"), "-f", "html")
        if code == 2:
            assert "U+E000" in err, err
            return
        html = (tmp_path / "out" / "briefing.html").read_text(encoding="utf-8")
        bound = re.findall(r'data-indicator="firms"[^>]*>([^<]*)<', html)
        assert bound and all("999" not in text for text in bound), bound
        assert not re.search("[\ue000-\ue005\x00-\x08]", html)
