"""Sheets rendered by workers that cannot see the source folder: the report ships its files."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest

import khzreport
from khzreport.batch.bundle import pack, unpack
from khzreport.locations import source_map
from khzreport.source.themes import theme_for

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

PARKS = """\
  - id: park_b
    name: 滨湖数字产业园
    kind: 产业园
    photo: fig_view
    narrative: 园区持续完善公共服务平台。
figures:
  - id: fig_view
    image: photos/view.png
    caption: 园区全景
theme: house.yaml
"""


def make_folder(folder: Path) -> Path:
    """Write a source with a photo and a theme file that names a font file of its own."""
    from PIL import Image

    folder.mkdir()
    source = folder / "report.yaml"
    text = MINIMAL.read_text(encoding="utf-8").rstrip("\n")
    source.write_text(text + "\n" + PARKS, encoding="utf-8")
    (folder / "photos").mkdir()
    Image.new("RGB", (320, 200), (40, 90, 160)).save(folder / "photos" / "view.png")
    (folder / "fonts").mkdir()
    shutil.copy(FONT, folder / "fonts" / "extra.ttf")
    (folder / "house.yaml").write_text(
        "extends: briefing\nfonts:\n  files: [fonts/extra.ttf]\n", encoding="utf-8"
    )
    return source


def test_a_bundle_carries_the_photo_and_the_theme_fonts(tmp_path: Path) -> None:
    if not FONT.is_file():
        pytest.skip("DejaVu Sans is not installed")
    report = khzreport.load(make_folder(tmp_path / "src"))
    bundle = pack(report, theme_for(report))
    shutil.rmtree(tmp_path / "src")
    copy, theme = unpack(bundle)
    smap = source_map(copy)
    assert smap is not None
    assert (smap.folder / "photos" / "view.png").is_file()
    (font,) = theme.fonts.files
    assert Path(font).read_bytes() == FONT.read_bytes()
    assert str(smap.locate(("parks", 0)).file).endswith("src/report.yaml")  # the caller's name


class RemovesTheSource(Executor):
    """Hands tasks to a Dask executor, removing the source folder once the first is sent."""

    def __init__(self, inner: Executor, folder: Path) -> None:
        self.inner, self.folder = inner, folder

    def submit(  # type: ignore[override]
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        future = self.inner.submit(fn, *args, **kwargs)
        shutil.rmtree(self.folder, ignore_errors=True)
        return future


@pytest.mark.slow
def test_dask_workers_in_another_folder_render_a_removed_source(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    if not FONT.is_file():
        pytest.skip("DejaVu Sans is not installed")
    folder = tmp_path / "src"
    report = khzreport.load(make_folder(folder))
    changed = report.replace(
        parks=[report.parks[0], report.parks[1].model_copy(update={"name": "滨湖数字产业园（新）"})]
    )
    elsewhere = tmp_path / "worker-cwd"
    elsewhere.mkdir()
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(os.chdir, str(elsewhere))
        cwd = client.run(os.getcwd)
        assert list(cwd.values()) == [str(elsewhere)]
        assert all(pid != os.getpid() for pid in client.run(os.getpid).values())
        result = khzreport.build_sheets(
            changed,
            tmp_path / "out",
            executor=RemovesTheSource(client.get_executor(), folder),
            jobs=2,
        )
    assert not folder.exists()
    assert result.ok, [o.errors for o in result.failed]
    names = {o.park: o.name for o in result.done}
    assert names == {"park_a": report.parks[0].name, "park_b": "滨湖数字产业园（新）"}
    with zipfile.ZipFile(result.done[1].outputs["docx"].path) as docx:
        assert "滨湖数字产业园（新）" in docx.read("word/document.xml").decode("utf-8")
        assert any(n.startswith("word/media/") for n in docx.namelist())
    assert result.done[1].outputs["pdf"].pages == 1


def test_a_worker_unpacks_each_bundle_once_and_never_mixes_two_reports() -> None:
    import pickle

    report = khzreport.load(MINIMAL)
    theme = theme_for(report)
    blob = pickle.dumps(pack(report, theme))
    first, second = unpack(pickle.loads(blob)), unpack(pickle.loads(blob))
    assert first[0] is second[0]  # one copy per worker, however many tasks carry it
    changed = report.model_copy(update={"lead": "另一段导语。"})
    other = unpack(pickle.loads(pickle.dumps(pack(changed, theme))))
    assert other[0] is not first[0] and other[0].lead == "另一段导语。"
    leads = []
    for text in ("甲。", "乙。"):
        made = report.model_copy(update={"lead": text})
        made._khz_source = None  # reports made in code share their (empty) files' key
        leads.append(unpack(pack(made, theme))[0].lead)
    assert leads == ["甲。", "乙。"]
