"""Typst is handed exact font files, never a font's folder: it follows links in the folders
it searches, so a ``root -> /`` link beside a theme font would open the whole machine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import typst

from khzreport import api
from khzreport.charts import fonts as fontlib
from khzreport.writers import pdf

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
LATIN = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not LATIN.is_file(), reason="needs the DejaVu Sans font file")
class TestTypstReadsOnlyTheChosenFontFiles:
    def test_a_link_beside_a_theme_font_is_not_searched(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        fonts = tmp_path / "fonts"
        fonts.mkdir()
        shutil.copyfile(LATIN, fonts / "My.ttf")
        os.symlink("/", fonts / "root")
        os.symlink("My.ttf", fonts / "linked.ttf")
        (tmp_path / "mytheme.yaml").write_text(
            "fonts:\n  files: [fonts/My.ttf, fonts/linked.ttf]\n  latin: [DejaVu Sans]\n",
            encoding="utf-8",
        )
        text = MINIMAL.read_text(encoding="utf-8").replace(
            "charts:\n", "theme: mytheme.yaml\ncharts:\n"
        )
        (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
        handed: list[list[str]] = []
        real = typst.Compiler

        def spy(*args: Any, font_paths: list[str], **kwargs: Any) -> Any:
            handed.append(list(font_paths))
            return real(*args, font_paths=font_paths, **kwargs)

        monkeypatch.setattr(pdf.typst, "Compiler", spy)
        monkeypatch.setattr(pdf, "_compilers", {})
        theme = api.theme_of(api.load(tmp_path / "report.yaml"))
        chosen = fontlib.font_paths_for_typst(theme)
        assert all(p == p.resolve() and p.is_file() for p in chosen), chosen
        assert chosen.count((fonts / "My.ttf").resolve()) == 1
        assert not any(p.is_relative_to(fonts / "root") for p in chosen)

        result = api.build(tmp_path / "report.yaml", tmp_path / "out", formats=["pdf"])
        assert result.outputs and handed
        for folders in handed:
            for folder in map(Path, folders):
                entries = list(folder.iterdir())
                assert entries and all(e.is_symlink() for e in entries), entries
                targets = {Path(os.readlink(e)) for e in entries}
                assert targets <= set(pdf._resolve_fonts(theme, chart_text=True).files), targets
                assert all(t.is_file() for t in targets)
