"""Park sheets in batch: failures reported per park, resume, dead workers, one page per PDF."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from khzreport.batch import BatchResult, SheetOutcome, build_sheets, output_stems, pool
from khzreport.batch.pool import init_worker
from khzreport.cli import main
from khzreport.document import Paragraph, Run
from khzreport.errors import ValidationError
from khzreport.layouts.sheet import sentence_breaks, shorten_paragraphs

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

GOOD_PARKS = """\
  - id: park_b
    name: 创新产业园
    kind: 产业园
    positioning: 高端装备与新一代信息技术集聚区
    founded: 2008
    leading_industries: [高端装备, 新一代信息技术]
    key_enterprises: [甲科技有限公司, 乙智能装备有限公司]
    indicators: [output, firms, rank]
    narrative: |-
      园区规上工业总产值{{ ind.output }}，高新技术企业达{{ ind.firms }}。
      园区持续完善公共服务平台。
    chart: scale
  - id: park_c
    name: 科创中心
    kind: 科创载体
    indicators: [firms]
    narrative: 中心集聚高新技术企业{{ ind.firms }}。
"""

BROKEN_PARKS = """\
  - id: bad_text
    name: 错误园区
    kind: 产业园
    narrative: 园区企业{{ ind.nope }}家。
  - id: no_photo
    name: 缺图园区
    kind: 产业园
    photo: fig_missing
"""

FIGURES = """\
figures:
  - id: fig_missing
    image: photos/missing.jpg
    caption: 园区全景
"""

UNIT = "园区持续推进创新发展，聚焦高端装备、新一代信息技术和生物医药等重点产业，完善公共服务平台建设，优化营商环境"


def make_source(folder: Path, parks: str = GOOD_PARKS, tail: str = "") -> Path:
    """Write the minimal source with extra parks (and top-level keys) into ``folder``."""
    text = MINIMAL.read_text(encoding="utf-8").rstrip("\n") + "\n" + parks + tail
    path = folder / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """Return the 1-based line of the first line of ``path`` containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def ids(outcomes: list[SheetOutcome]) -> list[str]:
    return [o.park for o in outcomes]


KILL_DIR_ENV = "KHZREPORT_TEST_KILL_DIR"


def init_worker_that_dies_on_park_b(
    environ: dict[str, str], root: int | None = None, preload: Any = None
) -> None:
    """Start a pool worker that exits at once, the first time only, when given park_b.

    The test puts this in place of the pool's initializer; the pool pickles it by name, so
    each worker imports it from this module. The marker file keeps the retry alive.
    """
    init_worker(environ, root, preload)
    real = pool.render_park

    def render_or_die(report, theme, park, formats, language=None):  # type: ignore[no-untyped-def]
        marker = Path(os.environ[KILL_DIR_ENV]) / f"killed-{park}"
        if park == "park_b" and not marker.exists():
            marker.touch()
            os._exit(1)
        return real(report, theme, park, formats, language)

    pool.render_park = render_or_die  # type: ignore[assignment]


# --------------------------------------------------------------------------- fast units


def test_output_stems_are_safe_and_stable() -> None:
    stems = output_stems(["park_a", "CON", "com1", "Lpt9", "Park_A", "park_a_", "COM10", "x"])
    assert stems == {
        "park_a": "park_a",
        "CON": "CON_",
        "com1": "com1_",
        "Lpt9": "Lpt9_",
        "Park_A": "Park_A-2",
        "park_a_": "park_a_",
        "COM10": "COM10",
        "x": "x",
    }
    assert output_stems(["manifest"]) == {"manifest": "manifest-2"}


def test_sentence_breaks_and_shortening() -> None:
    paragraphs = [
        Paragraph((Run("第一句。第二句"), Run("42亿元", "output"), Run("！他说：“好。”尾"))),
        Paragraph((Run("新段落。"),)),
    ]
    texts = [p.text for p in paragraphs]
    assert sentence_breaks(texts) == [4, 12, 19, 20, 24]
    assert [p.text for p in shorten_paragraphs(paragraphs, 100)] == texts
    assert [p.text for p in shorten_paragraphs(paragraphs, 2)] == ["第一句……"]
    cut = shorten_paragraphs(paragraphs, 15)
    assert [p.text for p in cut] == ["第一句。第二句42亿元……"]
    assert cut[0].runs[1] == Run("42亿元", "output")  # bound numbers keep their indicator
    assert [p.text for p in shorten_paragraphs(paragraphs, 19)] == [
        "第一句。第二句42亿元！他说：“好……”"
    ]
    assert [p.text for p in shorten_paragraphs(paragraphs, 21)] == [texts[0] + "……"]
    english = [Paragraph((Run("It grew 5.5 per cent. Firms came. More"),))]
    assert [p.text for p in shorten_paragraphs(english, 30)] == ["It grew 5.5 per cent…"]


def test_bad_options_are_input_errors(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    with pytest.raises(
        ValidationError, match=r"unknown park 'park_bb' \(did you mean 'park_b'\?\)"
    ):
        build_sheets(source, parks=["park_a", "park_bb"])
    with pytest.raises(ValidationError, match="unknown sheet format 'html'"):
        build_sheets(source, formats="pdf,html")
    with pytest.raises(ValidationError, match="booklet needs the sheet PDFs"):
        build_sheets(source, formats="docx", booklet=True)


def test_cli_invalid_source_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "report.yaml"
    bad.write_text("meta: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sheets", str(bad)])
    assert result.exit_code == 2
    assert "error: " in result.stderr and "report.yaml:" in result.stderr


# --------------------------------------------------------------------------- batches


@pytest.mark.slow
def test_broken_parks_are_reported_with_location_and_the_rest_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = make_source(tmp_path, GOOD_PARKS + BROKEN_PARKS, FIGURES)
    result = build_sheets("report.yaml", jobs=2)
    out = tmp_path / "build" / "sheets"
    assert result.outdir == Path("build/sheets") or result.outdir.resolve() == out
    assert ids(result.done) == ["park_a", "park_b", "park_c"]
    assert ids(result.failed) == ["bad_text", "no_photo"]
    assert result.exit_code == 1
    bad_line = line_of(source, "{{ ind.nope }}")
    (text_error,) = result.failed[0].errors
    assert re.fullmatch(
        rf"report\.yaml:{bad_line}:\d+: parks\[3\]\.narrative: unknown indicator 'nope'.*",
        str(text_error),
    ), text_error
    assert text_error.severity == "error" and text_error.code == "template-error"
    assert text_error.location is not None and text_error.location.line == bad_line
    (photo_error,) = result.failed[1].errors
    image_line = line_of(source, "image: photos/missing.jpg")
    assert str(photo_error).startswith(f"report.yaml:{image_line}:")
    assert photo_error.message == "image not found: photos/missing.jpg"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{p}.{x}" for p in ("park_a", "park_b", "park_c") for x in ("docx", "pdf")]
        + ["manifest.json"]
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {e["park"]: e["status"] for e in manifest["parks"]}
    assert status == {
        "park_a": "ok",
        "park_b": "ok",
        "park_c": "ok",
        "bad_text": "failed",
        "no_photo": "failed",
    }
    assert manifest["parks"][3]["errors"] == [str(text_error)]
    for entry in manifest["parks"][:3]:
        for item in entry["outputs"]:
            data = (out / item["file"]).read_bytes()
            assert item["size"] == len(data)
            assert item["sha256"] == hashlib.sha256(data).hexdigest()

    cli = CliRunner().invoke(main, ["sheets", "report.yaml", "-j", "1", "-o", "cli"])
    assert cli.exit_code == 1, cli.output
    assert f"error: {text_error}" in cli.stderr
    assert "[4/5] bad_text failed" in cli.stderr
    assert "5 sheets: 3 done, 2 failed, 0 skipped" in cli.stdout


@pytest.mark.slow
def test_serial_and_parallel_outputs_are_byte_identical_one_page_each(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    serial = build_sheets(source, tmp_path / "serial", jobs=1, booklet=True)
    parallel = build_sheets(source, tmp_path / "parallel", jobs=2, booklet=True)
    assert serial.ok and parallel.ok
    a, b = files_of(tmp_path / "serial"), files_of(tmp_path / "parallel")
    assert sorted(a) == [
        "manifest.json",
        "park_a.docx",
        "park_a.pdf",
        "park_b.docx",
        "park_b.pdf",
        "park_c.docx",
        "park_c.pdf",
        "parks-booklet.pdf",
    ]
    assert a == b
    for name, data in a.items():
        if name.startswith("park_") and name.endswith(".pdf"):
            assert pdf_pages(data) == 1, name
    manifest = json.loads(a["manifest.json"])
    assert all(
        o["pages"] == 1 for e in manifest["parks"] for o in e["outputs"] if o["format"] == "pdf"
    )
    assert not re.search(r"20\d\d-\d\d-\d\dT|seconds", a["manifest.json"].decode())


@pytest.mark.slow
def test_booklet_has_a_bookmark_per_park_and_no_clock_dates(tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = make_source(tmp_path)
    first = build_sheets(source, tmp_path / "one", jobs=1, booklet=True, formats="pdf")
    assert first.booklet is not None
    reader = PdfReader(first.booklet)
    assert len(reader.pages) == 3
    assert [item.title for item in reader.outline] == ["示范产业园", "创新产业园", "科创中心"]
    info = reader.metadata
    assert info is not None
    assert info["/CreationDate"] == info["/ModDate"] == "D:20240115000000Z"
    assert info["/Title"] == "示范高新区管委会2023年园区简介"
    second = build_sheets(source, tmp_path / "two", jobs=1, booklet=True, formats="pdf")
    assert second.booklet is not None
    assert first.booklet.read_bytes() == second.booklet.read_bytes()


@pytest.mark.slow
def test_resume_redoes_only_missing_or_changed_outputs(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    out = tmp_path / "out"
    build_sheets(source, out, jobs=1)
    before = files_of(out)
    (out / "park_a.pdf").unlink()
    (out / "park_c.docx").write_bytes(b"not a docx")
    seen: list[tuple[str, str]] = []
    result = build_sheets(
        source, out, jobs=1, resume=True, progress=lambda d, t, o: seen.append((o.park, o.status))
    )
    assert ids(result.done) == ["park_a", "park_c"]
    assert ids(result.skipped) == ["park_b"]
    assert sorted(seen) == [("park_a", "ok"), ("park_b", "skipped"), ("park_c", "ok")]
    assert files_of(out) == before  # the manifest too: resumed parks stay "ok"

    # A changed source is not resumed from stale sheets.
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = build_sheets(source, out, jobs=1, resume=True)
    assert ids(again.done) == ["park_a", "park_b", "park_c"] and not again.skipped
    assert [w.code for w in again.warnings] == ["inputs-changed"]


@pytest.mark.slow
def test_interrupted_run_keeps_finished_sheets_and_resume_continues(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    out = tmp_path / "out"

    def stop_after_first(done: int, total: int, outcome: SheetOutcome) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_sheets(source, out, jobs=1, progress=stop_after_first)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "park_a.docx", "park_a.pdf"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["parks"]] == ["ok", "skipped", "skipped"]
    result = build_sheets(source, out, jobs=1, resume=True)
    assert ids(result.skipped) == ["park_a"]
    assert ids(result.done) == ["park_b", "park_c"]


@pytest.mark.slow
def test_interrupt_stops_the_pool_cleanly(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    out = tmp_path / "out"

    def stop(done: int, total: int, outcome: SheetOutcome) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_sheets(source, out, jobs=2, progress=stop)
    assert not multiprocessing.active_children()
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.endswith(".tmp")]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["status"] for e in manifest["parks"]).count("ok") == 1


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_its_park_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source(tmp_path)
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv(KILL_DIR_ENV, str(markers))
    monkeypatch.setattr(pool, "init_worker", init_worker_that_dies_on_park_b)
    result = build_sheets(source, tmp_path / "out", jobs=2)
    assert (markers / "killed-park_b").exists()  # the worker did die once
    assert result.ok, [o.errors for o in result.failed]
    assert ids(result.done) == ["park_a", "park_b", "park_c"]
    assert {o.park: o.attempts for o in result.done}["park_b"] == 2
    serial = build_sheets(source, tmp_path / "serial", jobs=1)
    assert serial.ok
    assert files_of(tmp_path / "out") == files_of(tmp_path / "serial")


@pytest.mark.slow
def test_an_overlong_narrative_is_shortened_to_one_page(tmp_path: Path) -> None:
    long_park = (
        "  - id: long_story\n"
        "    name: 长篇园区\n"
        "    kind: 产业园\n"
        "    indicators: [output, firms, rank]\n"
        "    narrative: |-\n"
        "      " + "园区高新技术企业达{{ ind.firms }}，持续完善公共服务平台建设。" * 60 + "\n"
        "    chart: scale\n"
    )
    source = make_source(tmp_path, long_park)
    result = build_sheets(source, tmp_path / "out", jobs=1)
    assert ids(result.done) == ["park_a", "long_story"]
    (outcome,) = [o for o in result.done if o.park == "long_story"]
    line = line_of(source, "narrative: |-")
    assert any(
        re.fullmatch(
            rf".*report\.yaml:{line}:\d+: parks\[1\]\.narrative: narrative shortened to \d+ "
            r"of \d+ characters to fit one page",
            str(w),
        )
        for w in outcome.warnings
    ), outcome.warnings
    pdf = outcome.outputs["pdf"].path.read_bytes()
    assert pdf_pages(pdf) == 1
    text = re.sub(r"\s", "", pdf_text(pdf))
    assert "……" in text and "图1" in text  # the chart is still there
    docx = outcome.outputs["docx"].path.read_bytes()
    assert "……".encode() in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")


@pytest.mark.slow
def test_figure_is_shrunk_or_dropped_then_the_park_fails(tmp_path: Path) -> None:
    parks = (
        "  - id: one_sentence\n"
        "    name: 长句园区\n"
        "    kind: 产业园\n"
        "    indicators: [output, firms, rank]\n"
        "    narrative: " + UNIT * 26 + "。\n"
        "    chart: scale\n"
        "  - id: crowded\n"
        "    name: 拥挤园区\n"
        "    kind: 产业园\n"
        "    key_enterprises: [" + ", ".join(f"第{i}号企业有限公司" for i in range(400)) + "]\n"
    )
    source = make_source(tmp_path, parks)
    result = build_sheets(source, tmp_path / "out", jobs=1)
    assert ids(result.done) == ["park_a", "one_sentence"]
    (fitted,) = [o for o in result.done if o.park == "one_sentence"]
    assert any(
        re.search(r"parks\[1\]\.chart: chart (drawn smaller|left out) to fit one page", str(w))
        for w in fitted.warnings
    ), fitted.warnings
    assert pdf_pages(fitted.outputs["pdf"].path.read_bytes()) == 1
    (crowded,) = result.failed
    (error,) = crowded.errors
    message = str(error)
    assert re.fullmatch(
        rf".*report\.yaml:{line_of(source, 'id: crowded')}:\d+: parks\[2\]: the sheet of park "
        r"'crowded' runs to \d+ pages and does not fit on one .*\(shorten .*\)",
        message,
    ), message


@pytest.mark.slow
def test_dask_executor(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    source = make_source(tmp_path)
    serial = build_sheets(source, tmp_path / "serial", jobs=1)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result: BatchResult = build_sheets(
            source, tmp_path / "dask", executor=client.get_executor(), jobs=2
        )
    assert result.ok and serial.ok
    assert ids(result.done) == ["park_a", "park_b", "park_c"]
    assert files_of(tmp_path / "dask") == files_of(tmp_path / "serial")


@pytest.mark.slow
def test_resume_redoes_sheets_of_a_report_changed_in_memory(tmp_path: Path) -> None:
    from khzreport import load

    report = load(make_source(tmp_path))
    out = tmp_path / "out"
    build_sheets(report, out, jobs=1, parks=["park_b"], formats="docx")
    kept = build_sheets(report, out, jobs=1, parks=["park_b"], formats="docx", resume=True)
    assert ids(kept.skipped) == ["park_b"]
    park = report.park("park_b").model_copy(update={"name": "改名园区"})
    changed = report.replace(parks=[p if p.id != "park_b" else park for p in report.parks])
    again = build_sheets(changed, out, jobs=1, parks=["park_b"], formats="docx", resume=True)
    assert ids(again.done) == ["park_b"] and not again.skipped
    with zipfile.ZipFile(out / "park_b.docx") as docx:
        assert "改名园区" in docx.read("word/document.xml").decode("utf-8")


def test_an_own_pool_sends_the_report_once_per_worker_not_once_per_park(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    sent: list[int] = []
    real_submit = pool.ProcessPoolExecutor.submit

    def counting_submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(len(pickle.dumps(args)))
        assert args[0].bundle is None and args[0].preloaded
        return real_submit(self, fn, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pool.ProcessPoolExecutor, "submit", counting_submit)
        result = build_sheets(source, tmp_path / "out", jobs=2)
    assert result.ok and len(sent) == 3
    assert max(sent) < 2_000  # a park's name and the bundle's identity, not the report
    assert build_sheets(source, tmp_path / "serial", jobs=1).ok
    assert files_of(tmp_path / "out") == files_of(tmp_path / "serial")


def _fork_server_calls(tmp_path: Path, *options: str) -> list[str]:
    """Run ``khzreport sheets`` on the minimal source; return, for each start of the fork
    server, whether pydantic (the API) was loaded by then."""
    source = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
    text = source.read_text(encoding="utf-8")
    park = "  - id: park_a\n    name: 示范产业园\n    kind: 产业园\n    indicators: [firms]\n"
    two = text + park.replace("park_a", "park_b").replace("示范产业园", "样板产业园")
    (tmp_path / "report.yaml").write_text(two, encoding="utf-8")
    args = ["khzreport", "sheets", str(tmp_path / "report.yaml"), "-o", str(tmp_path / "out")]
    probe = (
        "import runpy, sys\nfrom multiprocessing import forkserver\n"
        "real = forkserver.ensure_running\n"
        "def ensure_running():\n"
        "    print('start', 'pydantic' in sys.modules, file=sys.stderr)\n"
        "    real()\n"
        "forkserver.ensure_running = ensure_running\n"
        f"sys.argv = {[*args, *options]!r}\n"
        "try:\n    runpy.run_module('khzreport', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return [line for line in run.stderr.splitlines() if line.startswith("start")]


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2,
    reason="workers start from a fork server on a machine of two cores or more",
)
def test_the_command_line_starts_the_fork_server_before_it_loads_the_api(
    tmp_path: Path,
) -> None:
    # the fork server's import of the renderers runs beside the command's own imports
    assert _fork_server_calls(tmp_path)[0] == "start False"
    # one job, or one park, needs no worker: no fork server is started
    assert _fork_server_calls(tmp_path, "--jobs", "1") == []
    assert _fork_server_calls(tmp_path, "--park", "park_a") == []


def _running_in_group(group: int) -> list[str]:
    """Return the command lines of the processes of a process group that still run (a
    zombie, ended but not yet reaped by whoever adopted it, does not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) == group and stat[0] != "Z":
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return found


@pytest.mark.skipif(
    sys.platform != "linux" or "forkserver" not in multiprocessing.get_all_start_methods(),
    reason="the kernel's parent-death signal",
)
def test_the_fork_server_ends_with_the_command_that_started_it(tmp_path: Path) -> None:
    # the command starts its fork server as it begins (see poolserver.start) and ends, here
    # at once, as one whose source failed to load does: untied, the server went on importing
    # the renderers for another third of a second, and wound down for a tenth after a batch
    probe = (
        "import os, time\nfrom khzreport import poolserver\n"
        "poolserver.start()\ntime.sleep(0.15)\nos._exit(0)\n"
    )
    command = subprocess.Popen([sys.executable, "-c", probe], start_new_session=True)
    assert command.wait(timeout=60) == 0
    deadline = time.monotonic() + 0.1
    while running := _running_in_group(command.pid):
        assert time.monotonic() < deadline, f"processes of the command outlived it: {running}"
        time.sleep(0.01)
