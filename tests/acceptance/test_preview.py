"""``khzreport preview`` as a writer uses it, in headless Chromium: the open page follows each
save by itself, shows a bad edit located over the last good document, and Ctrl-C stops it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
KHZREPORT = Path(sys.executable).parent / "khzreport"
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium")) if p and Path(p).exists()),
    None,
)
PARAGRAPH = "鑫光电打破钙钛矿行业天花板，创造新纪录。"
TEMPLATE = "光电转化效率达{{ ind.pvk_rec1_eff }}。协"


def _children(pid: int) -> set[int]:
    """Return the processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


class Server:
    """``khzreport preview`` on a copy of the example, as a subprocess with its own TMPDIR."""

    def __init__(self, tmp: Path) -> None:
        shutil.copytree(ROOT / "examples" / "kunshan-2023", tmp / "src")
        self.source = tmp / "src" / "report.yaml"
        self.temp = tmp / "temp"
        self.temp.mkdir()
        env = {**os.environ, "TMPDIR": str(self.temp), "KHZREPORT_CACHE": str(tmp / "cache")}
        self.process = subprocess.Popen(
            [str(KHZREPORT), "preview", str(self.source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        first = self.process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert found, first
        self.url = found.group(0)
        self.errors: list[str] = []
        stderr = self.process.stderr
        self._reader = threading.Thread(target=lambda: self.errors.extend(stderr), daemon=True)
        self._reader.start()

    def edit(self, old: str, new: str) -> None:
        text = self.source.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        self.source.write_text(text.replace(old, new), encoding="utf-8")

    def close(self) -> None:
        """Close the pipes once the process has ended."""
        self._reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def line_of(self, text: str) -> int:
        lines = self.source.read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, 1) if text in line)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()
    running.close()


@pytest.mark.slow
@pytest.mark.realclient
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_page_follows_each_save_and_shows_a_bad_edit_located(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.goto(server.url)
            document = page.frame_locator("#html-view iframe.current").locator("body")
            expect(document).to_contain_text(PARAGRAPH, timeout=120_000)
            page.evaluate("window.loadedOnce = true")
            frame = page.locator("#html-view iframe.current")
            frame.evaluate("f => f.contentWindow.scrollTo(0, 1500)")

            server.edit(PARAGRAPH, PARAGRAPH.replace("创造新纪录", "创造浏览器里看到的新纪录"))
            expect(document).to_contain_text("创造浏览器里看到的新纪录", timeout=20_000)
            assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
            scrolled = page.locator("#html-view iframe.current").evaluate(
                "f => f.contentWindow.scrollY"
            )
            assert scrolled == 1500, "the refreshed document lost its scroll position"
            expect(page.locator("#overlay")).to_be_hidden()

            line = server.line_of(TEMPLATE)
            server.edit(TEMPLATE, TEMPLATE.replace("eff }}", "efff }}"))
            overlay = page.locator("#overlay")
            expect(overlay).to_be_visible(timeout=20_000)
            expect(overlay).to_contain_text(f"report.yaml:{line}")
            expect(overlay).to_contain_text("unknown indicator 'pvk_rec1_efff'")
            expect(document).to_contain_text("创造浏览器里看到的新纪录")  # the last good one

            server.edit(TEMPLATE.replace("eff }}", "efff }}"), TEMPLATE)
            expect(overlay).to_be_hidden(timeout=20_000)

            page.click("#show-pdf")
            expect(page.locator("#pdf-view iframe")).to_have_attribute(
                "src", re.compile(r"^/briefing\.pdf\?g=\d+"), timeout=20_000
            )
            pdf = page.request.get(server.url + "briefing.pdf")
            assert pdf.ok and pdf.body().startswith(b"%PDF")
            assert pdf.headers["content-type"] == "application/pdf"
            docx = page.request.get(server.url + "briefing.docx")
            assert docx.ok and docx.body()[:2] == b"PK"
        finally:
            browser.close()

    assert any(f"report.yaml:{line}:" in printed for printed in server.errors), server.errors

    children = _children(server.process.pid)
    server.process.send_signal(signal.SIGINT)
    started = time.monotonic()
    server.process.wait(timeout=10)
    assert time.monotonic() - started < 3, "Ctrl-C took longer than a few seconds"
    assert server.process.returncode == 130
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "a child outlived it"
    assert list(server.temp.iterdir()) == [], "temporary files were left behind"


def test_a_missing_source_stops_at_once_located(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(KHZREPORT), "preview", str(tmp_path / "report.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "report.yaml: file not found" in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_an_input_error(tmp_path: Path) -> None:
    import socket

    shutil.copytree(ROOT / "examples" / "kunshan-2023", tmp_path / "src")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(KHZREPORT), "preview", str(tmp_path / "src" / "report.yaml"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.stderr
