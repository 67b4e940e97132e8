"""The build's drawer: forked as a build starts, it reads the source's tables ahead and draws
the charts the build misses, with the very bytes the build would make itself, and never
outlives the build."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"

BUILD = textwrap.dedent("""
    import json, multiprocessing, os, sys
    from pathlib import Path
    import khzreport
    from khzreport import charts, drawer
    out = Path(sys.argv[1])
    started = drawer.can_start()
    if sys.argv[2] == "kill":  # a drawer that died before it was sent anything
        drawer.start()
        drawer._running.process.kill()
        drawer._running.process.join()
    result = khzreport.build(sys.argv[3], out, formats="docx,pdf,html")
    print(json.dumps({
        "started": started,
        "drawn": charts.render_count(),
        "matplotlib_here": "matplotlib" in sys.modules,
        "openpyxl_here": "openpyxl" in sys.modules,
        "children": len(multiprocessing.active_children()),
        "files": [p.name for p in result.outputs],
    }))
""")


def build(tmp_path: Path, name: str, how: str, **env: str) -> tuple[dict, dict[str, bytes]]:
    import json

    out = tmp_path / name
    environment = dict(os.environ, KHZREPORT_CACHE=str(tmp_path / f"cache-{name}"), **env)
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(out), how, str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    return facts, {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_the_drawer_draws_what_the_build_would(tmp_path: Path) -> None:
    ahead, files = build(tmp_path, "ahead", "plain")
    if not ahead["started"]:
        pytest.skip("no drawer here (platform, one CPU or threads)")
    alone, same = build(tmp_path, "alone", "plain", KHZREPORT_CHART_PROCESSES="1")
    # the drawer drew every chart, the web page's phone-width ones too: the building
    # process never imported matplotlib
    assert ahead["drawn"] > 0 and alone["drawn"] == ahead["drawn"]
    assert not ahead["matplotlib_here"]
    # it read the workbook ahead, into the cache folder, where the build's load found it
    assert not ahead["openpyxl_here"] and alone["openpyxl_here"]
    assert not alone["started"] and alone["matplotlib_here"]
    assert ahead["children"] == 0  # nothing left running
    assert files.keys() == same.keys() == {"briefing.docx", "briefing.pdf", "briefing.html"}
    for name in files:
        assert files[name] == same[name], name


def test_a_dead_drawer_leaves_the_drawing_to_the_build(tmp_path: Path) -> None:
    dead, files = build(tmp_path, "dead", "kill")
    if not dead["started"]:
        pytest.skip("no drawer here (platform, one CPU or threads)")
    alone, same = build(tmp_path, "alone", "plain", KHZREPORT_CHART_PROCESSES="1")
    assert dead["drawn"] == alone["drawn"] > 0
    assert dead["children"] == 0
    assert files == same
