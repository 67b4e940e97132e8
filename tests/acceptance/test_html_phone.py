"""The HTML edition read in Chromium on a phone (420 px) and on a desktop (1280 px).

The page is measured by a script in a wrapper page that shows it in a frame of the width
(Chromium's window cannot be narrower than 500 px): nothing wider than the screen, chart
text at 11 px or more on the phone (charts are drawn as outlines, so the size is that of the
glyph groups on screen), table cells not taller than a few lines, no justified narrow text.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.realclient,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]

MEASURE = """
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', () => {
  const win = frame.contentWindow, doc = frame.contentDocument;
  const out = {viewport: win.innerWidth, scrollWidth: doc.documentElement.scrollWidth};
  const wide = [];
  for (const el of doc.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > win.innerWidth + 0.5) wide.push(el.tagName + '.' + el.className);
  }
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const range = doc.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      if (box.right > win.innerWidth + 0.5) { wide.push('text: ' + node.textContent.slice(0, 40)); break; }
    }
  }
  out.wider = wide;
  // matplotlib writes text as glyphs in a group scaled by font size / 100
  let smallest = null, charts = 0;
  for (const g of doc.querySelectorAll('svg g[transform*="scale("]')) {
    const m = /scale\\(([\\d.]+) -/.exec(g.getAttribute('transform'));
    if (!m || g.getBoundingClientRect().width === 0) continue;
    const ctm = g.getScreenCTM();
    const px = Math.hypot(ctm.a, ctm.b) * 100;  // rotated text too
    charts += 1;
    if (smallest === null || px < smallest) smallest = px;
  }
  out.chartTexts = charts; out.smallestChartText = smallest;
  out.tallestCell = Math.max(0, ...[...doc.querySelectorAll('td, th')].map(c => c.getBoundingClientRect().height));
  out.justified = [...doc.querySelectorAll('p')].filter(
    p => win.getComputedStyle(p).textAlign === 'justify' && p.getBoundingClientRect().width > 0).length;
  // a row of KPI cards reaching short of its panel's right edge leaves an empty slot
  out.kpiPanels = 0; out.kpiShortRows = [];
  for (const grid of doc.querySelectorAll('.kpi-grid')) {
    const right = grid.getBoundingClientRect().right;
    const rows = new Map();
    for (const card of grid.children) {
      const box = card.getBoundingClientRect();
      const top = Math.round(box.top);
      rows.set(top, Math.max(rows.get(top) ?? 0, box.right));
    }
    out.kpiPanels += 1;
    for (const end of rows.values()) {
      if (end < right - 2) out.kpiShortRows.push(grid.children.length + ' cards, row ends ' + Math.round(right - end) + ' px short');
    }
  }
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


@pytest.fixture(scope="module", params=["zh-CN", "en"])
def page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    command = [sys.executable, "-m", "khzreport", "build", str(EXAMPLE), "--format", "html"]
    if request.param == "en":
        command += ["--language", "en"]
    result = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [built] = out.glob("briefing*.html")
    return built


def measure(page: Path, width: int) -> dict[str, Any]:
    """Return the measures of ``page`` shown ``width`` px wide in headless Chromium."""
    folder = page.parent / f"measure-{width}"
    folder.mkdir(exist_ok=True)
    source = html.escape(page.read_text(encoding="utf-8"), quote=True)
    wrapper = folder / "wrapper.html"
    wrapper.write_text(
        '<!doctype html><html><body style="margin:0">'
        f'<iframe id="page" style="border:0;width:{width}px;height:3000px" srcdoc="{source}">'
        f"</iframe>{MEASURE}</body></html>",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={folder / 'profile'}",
            f"--window-size={max(width, 500)},3000",
            "--virtual-time-budget=10000",
            "--dump-dom",
            wrapper.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    measured: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert measured["viewport"] == width
    return measured


def test_a_phone_reads_the_page_without_scrolling_sideways(page: Path) -> None:
    m = measure(page, 420)
    assert m["scrollWidth"] <= 420
    assert m["wider"] == []
    assert m["chartTexts"] > 50, "the page has its charts"
    assert m["smallestChartText"] >= 11
    # tables are stacked rows: a cell is a line or two, not a tall narrow column
    assert 0 < m["tallestCell"] <= 90
    assert m["justified"] == 0


def test_a_desktop_shows_the_page_as_laid_out(page: Path) -> None:
    m = measure(page, 1280)
    assert m["scrollWidth"] <= 1280
    assert m["wider"] == []
    assert m["chartTexts"] > 50
    assert 0 < m["tallestCell"] <= 160
    assert m["justified"] > 0, "body text is justified where lines are long"


@pytest.fixture(scope="module")
def odd_panels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national source's briefing: a panel of two cards and one of three."""
    out = tmp_path_factory.mktemp("html-national")
    source = EXAMPLE.parents[2] / "tests" / "fixtures" / "national" / "report.yaml"
    command = [sys.executable, "-m", "khzreport", "build", str(source), "--format", "html"]
    result = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out / "briefing.html"


@pytest.mark.parametrize("width", [420, 1280])
def test_a_kpi_panel_leaves_no_empty_slot(page: Path, odd_panels: Path, width: int) -> None:
    """Two cards a row on the phone: an odd last card takes the whole row."""
    for shown in (page, odd_panels):
        m = measure(shown, width)
        assert m["kpiPanels"] > 0
        assert m["kpiShortRows"] == [], shown
