"""Time ``khzreport preview``: from a save to the page's refresh, for two kinds of edit.

Usage: ``.venv/bin/python benchmarks/preview.py [--edits 20] [--browser]``. Starts the preview
of a copy of the example as a subprocess (its own chart cache, drawn once at start), listens to
its server-sent events, and saves ``--edits`` edits of each kind, one at a time, each when the
PDF of the one before is done (as a writer saves every few seconds):

- a paragraph: one sentence of report.yaml reworded;
- one chart's data: a figure of data/indicators.xlsx changed (the workbook written beside the
  folder, then moved over the old one, as an editor's save does), so that chart is drawn again.

Each edit's value is new, so no drawing comes from the cache. The time runs from the save to
the ``html`` event that carries it (the page swaps in the new HTML on that event) and to the
``pdf`` event. With ``--browser``, headless Chromium (Playwright) shows the page, and the time
also runs to the new text being in the page the browser shows.
Prints a Markdown table: median (p50), min–max, for each measure.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kunshan-2023"
KHZREPORT = [sys.executable, "-m", "khzreport"]
SENTENCE = "鑫光电打破钙钛矿行业天花板，创造新纪录。"
FIGURE = "pvk_rec1_eff"
"""The indicator of the perovskite chart whose value the chart edits change."""
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium")) if p and Path(p).exists()),
    None,
)


class Events:
    """The preview's event stream, read in a thread: (event, state, arrival time)."""

    def __init__(self, port: int) -> None:
        self.queue: queue.SimpleQueue[tuple[str, dict, float]] = queue.SimpleQueue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=None)
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self.queue.put((event, json.loads(line[6:]), time.perf_counter()))
        except (OSError, ValueError):
            return

    def until(self, accept: Callable[[str, dict], bool], timeout: float = 60) -> tuple[dict, float]:
        deadline = time.monotonic() + timeout
        while True:
            event, state, when = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            if event == "failed":
                raise RuntimeError(f"the preview failed: {state['problems']}")
            if accept(event, state):
                return state, when

    def close(self) -> None:
        self.connection.close()


def _paragraph_edit(source: Path) -> Callable[[int], tuple[str, str]]:
    def edit(n: int) -> tuple[str, str]:
        text = source.read_text(encoding="utf-8")
        new = f"创造新纪录（第{_chinese(n)}稿）。"
        text = re.sub(r"创造新纪录(（第.+?稿）)?。", new, text, count=1)
        source.write_text(text, encoding="utf-8")
        return "report.yaml", new

    return edit


def _chart_edit(folder: Path) -> Callable[[int], tuple[str, str]]:
    import openpyxl  # the benchmark writes the workbook as a spreadsheet program would

    table = folder / "data" / "indicators.xlsx"
    staged = folder.parent / "staged.xlsx"

    def edit(n: int) -> tuple[str, str]:
        book = openpyxl.load_workbook(table)
        sheet = book.worksheets[0]
        row = next(r for r in sheet.iter_rows() if r[0].value == FIGURE)
        value = round(20 + n * 0.01, 2)
        row[3].value = value
        book.save(staged)
        os.replace(staged, table)
        return "data/indicators.xlsx", f"{value}%"

    return edit


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    return "".join(digits[int(d)] for d in str(n))


def measure(edits: int = 20, browser: bool = False) -> dict[str, list[float]]:
    """Return the latencies in seconds by measure name."""
    with (
        tempfile.TemporaryDirectory(prefix="khzreport-preview-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        folder = Path(tmp) / "src"
        shutil.copytree(EXAMPLE, folder)
        env = {**os.environ, "KHZREPORT_CACHE": str(Path(tmp) / "cache")}
        process = subprocess.Popen(
            [*KHZREPORT, "preview", str(folder / "report.yaml")],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert process.stdout is not None
        try:
            url = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
            assert url, "the preview printed no address"
            events = Events(int(url.group(1)))
            events.until(lambda e, s: s["pdf"] > 0 and s["pdf"] == s["html"], timeout=300)
            page = _open_page(url.group(0), stack) if browser else None
            results: dict[str, list[float]] = {}
            kinds = {
                "paragraph": _paragraph_edit(folder / "report.yaml"),
                "chart data": _chart_edit(folder),
            }
            for kind, edit in kinds.items():
                for n in range(1, edits + 1):
                    time.sleep(0.3)
                    saved = time.perf_counter()
                    name, shown = edit(n)
                    state, html_at = events.until(
                        lambda e, s, name=name: e == "html" and name in s["changed"]
                    )
                    results.setdefault(f"{kind} edit → html event", []).append(html_at - saved)
                    results.setdefault(f"{kind} edit: file event → html event", []).append(
                        state["seconds"]
                    )
                    results.setdefault(f"{kind} edit: rebuild's processor time", []).append(
                        state["cpu"]
                    )
                    if page is not None:
                        page.wait_for_function(
                            "text => document.querySelector('#html-view iframe.current')"
                            "?.contentDocument?.body?.innerText.includes(text)",
                            arg=shown,
                            timeout=30_000,
                            polling="raf",
                        )
                        results.setdefault(f"{kind} edit → text in the browser", []).append(
                            time.perf_counter() - saved
                        )
                    generation = state["html"]
                    _, pdf_at = events.until(
                        lambda e, s, g=generation: e == "pdf" and s["pdf"] >= g
                    )
                    results.setdefault(f"{kind} edit → pdf event", []).append(pdf_at - saved)
            events.close()
            return results
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
            process.stdout.close()


def _open_page(url: str, stack: contextlib.ExitStack) -> Any:
    from playwright.sync_api import sync_playwright  # only --browser needs it

    if CHROMIUM is None:
        raise SystemExit("--browser needs chromium")
    playwright = stack.enter_context(sync_playwright())
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    stack.callback(browser.close)
    # the page's policy forbids evaluated scripts; the measuring ones are the harness's own
    page = browser.new_page(viewport={"width": 1100, "height": 800}, bypass_csp=True)
    page.goto(url)
    page.wait_for_function(
        "document.querySelector('#html-view iframe.current')?.contentDocument?.body?.innerText"
        ".includes('钙钛矿')",
        timeout=60_000,
    )
    return page


def rows(results: dict[str, list[float]]) -> list[str]:
    """Return Markdown table rows: measure, p50, min–max, count."""
    out = []
    for name, times in results.items():
        out.append(
            f"| preview: {name} | {statistics.median(times):.3f} | "
            f"{min(times):.3f}–{max(times):.3f} | {len(times)} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=20, help="edits of each kind [20]")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = parser.parse_args()
    results = measure(args.edits, args.browser)
    print("| measure | p50 s | range s | edits |")
    print("|---|---|---|---|")
    print("\n".join(rows(results)))


if __name__ == "__main__":
    main()
