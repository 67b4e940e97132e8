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


FAILING = textwrap.dedent("""
    import json, multiprocessing, os, sys, tempfile, time
    from pathlib import Path
    import khzreport
    from khzreport import drawer
    from khzreport.errors import KhzReportError
    before = set(os.listdir(tempfile.gettempdir()))
    started = drawer.can_start()
    t = time.perf_counter()
    try:
        khzreport.build(sys.argv[1], Path(sys.argv[2]))
    except KhzReportError:
        pass
    else:
        raise SystemExit("the broken source built")
    left = sorted(n for n in set(os.listdir(tempfile.gettempdir())) - before if "khzreport" in n)
    print(json.dumps({
        "started": started,
        "seconds": time.perf_counter() - t,
        "children": len(multiprocessing.active_children()),
        "left": left,
    }))
""")


def test_a_failed_build_ends_its_helpers_at_once(tmp_path: Path) -> None:
    import json

    source = tmp_path / "report.yaml"
    source.write_text("meta:\n  title: [unclosed\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", FAILING, str(source), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=dict(os.environ, KHZREPORT_CACHE=str(tmp_path / "cache")),
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    if not facts["started"]:
        pytest.skip("no drawer here (platform, one CPU or threads)")
    # the drawer, still importing matplotlib, was ended rather than waited for, and it took
    # its temporary folder with it
    assert facts["children"] == 0 and facts["left"] == []
