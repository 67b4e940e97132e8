"""The live preview without a browser: a save rebuilds, the rebuild is published as an event,
only what the edit touched is redone, and the server serves nothing but its outputs."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchfiles import Change

from khzreport import charts
from khzreport.preview import Preview, PreviewServer, SourceFilter

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023"
SENTENCE = "协\n      鑫光电打破钙钛矿行业天花板，创造新纪录。"
EFFICIENCY = "{{ ind.pvk_rec1_eff }}。协"


@pytest.fixture(scope="module")
def chart_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One chart cache for the module, so only the first preview draws the example's charts."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("KHZREPORT_CACHE")
    os.environ["KHZREPORT_CACHE"] = str(folder)
    yield folder
    if before is None:
        del os.environ["KHZREPORT_CACHE"]
    else:
        os.environ["KHZREPORT_CACHE"] = before


class Running:
    """A preview of a copy of the example, watched in a thread, with a listener on its events."""

    def __init__(self, folder: Path) -> None:
        self.source = folder / "report.yaml"
        self.lines: list[str] = []
        self.preview = Preview(self.source, echo=self.lines.append)
        self.stop = threading.Event()
        ready = threading.Event()
        self.threads = [
            threading.Thread(target=self.preview.watch, args=(self.stop, ready)),
            threading.Thread(target=self.preview.pdf_loop),
        ]
        for thread in self.threads:
            thread.start()
        assert ready.wait(120), "the first build did not finish"
        self._listening = self.preview.events.listen()
        self.events = self._listening.__enter__()
        event, state = self.next_event()
        assert event == "state"
        while state["pdf"] < state["html"]:  # the PDF may draw charts of its own kind
            state = self.wait_for("pdf", timeout=120)

    def next_event(self, timeout: float = 30) -> tuple[str, dict]:
        message = self.events.get(timeout=timeout)
        assert message is not None, "the event stream ended"
        event, data = message
        return event, json.loads(data)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            name, state = self.next_event(max(0.1, deadline - time.monotonic()))
            if name == event:
                return state

    def edit(self, old: str, new: str) -> None:
        text = self.source.read_text(encoding="utf-8")
        assert text.count(old) == 1
        self.source.write_text(text.replace(old, new), encoding="utf-8")

    def close(self) -> None:
        self._listening.__exit__(None, None, None)
        self.stop.set()
        self.preview.stop()
        for thread in self.threads:
            thread.join(timeout=10)
            assert not thread.is_alive()


@pytest.fixture
def running(tmp_path: Path, chart_cache: Path) -> Iterator[Running]:
    shutil.copytree(EXAMPLE, tmp_path / "src")
    live = Running(tmp_path / "src")
    yield live
    live.close()


def test_a_paragraph_edit_publishes_new_html_first_and_draws_no_chart(running: Running) -> None:
    first = running.preview.state.html
    drawn = charts.render_count()
    running.edit(SENTENCE, SENTENCE.replace("创造新纪录", "创造预览新纪录"))
    state = running.wait_for("html")
    assert state["html"] > first and state["problems"] == []
    assert state["changed"] == ["report.yaml"]
    assert "创造预览新纪录" in running.preview.html.decode("utf-8")
    assert charts.render_count() == drawn, "a paragraph edit redrew a chart"
    html = state["html"]
    while state["pdf"] < html:  # the PDF follows the HTML, perhaps after the first one's
        state = running.wait_for("pdf")
    assert state["pdf"] == html
    assert running.preview.pdf.startswith(b"%PDF")
    assert running.preview.docx()[:2] == b"PK"


def test_a_chart_data_edit_redraws_that_chart_only(running: Running, chart_cache: Path) -> None:
    import openpyxl

    table = running.source.parent / "data" / "indicators.xlsx"
    book = openpyxl.load_workbook(table)
    sheet = book.worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == "pvk_rec1_eff")
    row[3].value = 19.37
    staged = running.source.parent.parent / "staged.xlsx"
    book.save(staged)
    drawn = charts.render_count()
    before = set(chart_cache.iterdir())
    os.replace(staged, table)
    state = running.wait_for("html")
    assert "19.37%" in running.preview.html.decode("utf-8")
    assert charts.render_count() > drawn
    while state["pdf"] < state["html"]:
        state = running.wait_for("pdf")
    # the workbook's parsed table is kept too (table-*.json); of the charts, one is redrawn
    new = {p.name for p in set(chart_cache.iterdir()) - before if p.name.startswith("chart_")}
    assert new and all(name.startswith("chart_perovskite") for name in new), new


def test_a_bad_edit_is_reported_located_and_keeps_the_last_good_document(
    running: Running,
) -> None:
    good = running.preview.html
    line = (
        running.source.read_text(encoding="utf-8")
        .splitlines()
        .index(
            "      钙钛矿组件尺寸从“平方厘米级”提升至“平方米级”，光电转化效率达{{ ind.pvk_rec1_eff }}。协"
        )
    )
    running.edit(EFFICIENCY, EFFICIENCY.replace("eff", "efff"))
    state = running.wait_for("failed")
    (problem,) = state["problems"]
    assert problem["file"].endswith("report.yaml") and problem["line"] == line + 1
    assert "pvk_rec1_efff" in problem["message"]
    assert problem["text"].startswith(f"{problem['file']}:{line + 1}:")
    assert running.preview.html == good
    assert any(f"report.yaml:{line + 1}:" in printed for printed in running.lines)
    running.edit(EFFICIENCY.replace("eff", "efff"), EFFICIENCY)
    state = running.wait_for("html")
    assert state["problems"] == []


def test_outputs_written_into_the_build_folder_start_no_rebuild(tmp_path: Path) -> None:
    folder = tmp_path.resolve()
    relevant = SourceFilter(folder)
    assert relevant(Change.modified, str(folder / "report.yaml"))
    assert relevant(Change.modified, str(folder / "data" / "indicators.xlsx"))
    assert relevant(Change.added, str(folder / "photos" / "park.jpg"))
    assert not relevant(Change.modified, str(folder / "build" / "briefing.pdf"))
    assert not relevant(Change.modified, str(folder / ".git" / "index"))
    assert relevant(Change.modified, str(folder / "buildings.yaml"))


def _get(port: int, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host} if host else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_the_server_serves_its_outputs_and_nothing_else(running: Running) -> None:
    server = PreviewServer(running.preview)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        status, headers, body = _get(port, "/")
        assert status == 200 and b"/events" in _get(port, "/_preview/preview.js")[2]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, headers, body = _get(port, "/briefing.html")
        assert status == 200 and body == running.preview.html
        while running.preview.pdf is None:
            running.wait_for("pdf")
        status, headers, body = _get(port, "/briefing.pdf")
        assert status == 200 and body.startswith(b"%PDF")
        status, headers, body = _get(port, "/briefing.docx")
        assert status == 200 and 'filename="briefing.docx"' in headers["Content-Disposition"]
        for path in (
            "/../report.yaml",
            "/report.yaml",
            "/data/indicators.xlsx",
            "/_preview/../report.yaml",
            "/_preview/index.html/../../report.yaml",
            "/%2e%2e/%2e%2e/etc/passwd",
            "//etc/passwd",
        ):
            assert _get(port, path)[0] == 404, path
        assert _get(port, "/briefing.html", host="attacker.example:80")[0] == 403
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_new_page_gets_the_current_state_at_once(running: Running) -> None:
    with running.preview.events.listen() as late:
        event, data = late.get(timeout=1)
    assert event == "state" and json.loads(data)["html"] == running.preview.state.html


def test_a_burst_of_saves_is_one_rebuild(running: Running) -> None:
    before = running.preview.state.generation
    running.edit(SENTENCE, "创造预览0")
    for n in range(1, 5):
        time.sleep(0.005)
        running.edit(f"创造预览{n - 1}", f"创造预览{n}")
    deadline = time.monotonic() + 30
    while "创造预览4" not in running.preview.html.decode("utf-8"):
        running.wait_for("html", timeout=max(0.1, deadline - time.monotonic()))
    assert running.preview.state.generation - before <= 2


def test_a_save_that_changes_nothing_starts_no_rebuild(running: Running) -> None:
    running.edit(SENTENCE, SENTENCE.replace("创造新纪录", "创造新的纪录"))
    running.wait_for("html")
    generation = running.preview.state.generation
    text = running.source.read_text(encoding="utf-8")
    running.source.write_text(text, encoding="utf-8")  # saved again, unchanged
    os.utime(running.source)
    time.sleep(1.0)
    assert running.preview.state.generation == generation


def test_a_warning_only_the_pdf_finds_is_shown_and_printed(running: Running) -> None:
    running.edit(SENTENCE, SENTENCE.replace("创造新纪录", "创造新纪录😀"))
    state = running.wait_for("html")
    generation = state["html"]
    while state["pdf"] < generation:
        state = running.wait_for("pdf")
    assert any("😀" in warning for warning in state["warnings"])
    assert any("😀" in line and line.endswith("(in the PDF)") for line in running.lines)
