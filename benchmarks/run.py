"""Time khzreport on the Kunshan example: each stage in-process, and whole commands.

Usage: ``.venv/bin/python benchmarks/run.py [--runs 5]``. Prints a table of medians and
spread (min–max) over the runs. Whole commands run as fresh processes, start-up included;
"cold" runs use an empty cache folder, "cold charts" ones a cache without charts but with the
font caches an earlier build left there, "warm" ones the cache the previous run left. The peer
row is a hand-written python-docx + matplotlib script producing a comparable DOCX briefing, so
the ratio stays meaningful on a machine whose absolute speed drifts.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"
PY = sys.executable
KHZ = [PY, "-m", "khzreport"]


def timed(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[float]:
    out = []
    for _ in range(runs):
        if before:
            before()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, env=env)


def row(name: str, times: list[float]) -> str:
    med = statistics.median(times)
    return f"| {name} | {med:.3f} | {min(times):.3f}–{max(times):.3f} |"


def stages(runs: int, cache: Path) -> list[str]:
    """Time each stage in one process (after a first warm-up import)."""
    code = f"""
import json, os, shutil, statistics, time, sys
os.environ['KHZREPORT_CACHE'] = {str(cache)!r}
t = time.perf_counter(); import khzreport.api as api; imports = time.perf_counter() - t
res = {{'imports (khzreport.api)': [imports]}}
def add(name, fn):
    t = time.perf_counter(); value = fn(); res.setdefault(name, []).append(time.perf_counter() - t); return value
for i in range({runs}):
    shutil.rmtree({str(cache)!r}, ignore_errors=True)
    report = add('load (YAML → model)', lambda: api.load({str(EXAMPLE)!r}))
    doc = add('resolve (model → document)', lambda: api.resolve(report))
    charts = add('charts, cold cache', lambda: api.render_charts(doc))
    charts = add('charts, warm cache', lambda: api.render_charts(doc))
    from khzreport.writers import render
    for fmt in ('docx', 'pdf', 'html'):
        add(f'writer {{fmt}}', lambda fmt=fmt: render(fmt, doc, charts))
print(json.dumps(res))
"""
    out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True).stdout
    import json

    data = json.loads(out.strip().splitlines()[-1])
    return [row(name, times) for name, times in data.items()]


def clear_charts(cache: Path) -> None:
    """Remove the drawn charts but keep what the cache holds about the machine.

    That is the font search's answers (``fonts.json``) and matplotlib's font list
    (``matplotlib/``): a build after a data change finds them, only a first build ever
    does not.
    """
    for item in cache.glob("*"):
        if item.is_file() and item.name != "fonts.json":
            item.unlink()


def commands(runs: int, cache: Path, out: Path) -> list[str]:
    env = dict(os.environ, KHZREPORT_CACHE=str(cache))
    clear = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
    rows = [
        row("`khzreport --help`", timed(lambda: run([*KHZ, "--help"], env), runs)),
        row(
            "`khzreport validate`", timed(lambda: run([*KHZ, "validate", str(EXAMPLE)], env), runs)
        ),
        row(
            "`khzreport build` docx+pdf, cold cache",
            timed(
                lambda: run([*KHZ, "build", str(EXAMPLE), "-o", str(out), "-f", "docx,pdf"], env),
                runs,
                clear,
            ),
        ),
        row(
            "`khzreport build` docx+pdf, cold charts (font caches kept)",
            timed(
                lambda: run([*KHZ, "build", str(EXAMPLE), "-o", str(out), "-f", "docx,pdf"], env),
                runs,
                lambda: clear_charts(cache),
            ),
        ),
        row(
            "`khzreport build` docx+pdf, warm cache",
            timed(
                lambda: run([*KHZ, "build", str(EXAMPLE), "-o", str(out), "-f", "docx,pdf"], env),
                runs,
            ),
        ),
        row(
            "`khzreport build` docx only, cold cache",
            timed(
                lambda: run([*KHZ, "build", str(EXAMPLE), "-o", str(out), "-f", "docx"], env),
                runs,
                clear,
            ),
        ),
    ]
    peer = timed(
        lambda: run([PY, str(ROOT / "benchmarks" / "peer_docx.py"), str(out / "peer.docx")], env),
        runs,
    )
    rows.append(row("peer: hand-written python-docx + matplotlib → DOCX", peer))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = Path(tmp) / "cache", Path(tmp) / "out"
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(f"runs: {args.runs}; seconds, median and min–max\n")
        print("| stage / command | median s | range s |\n|---|---|---|")
        for line in stages(args.runs, cache):
            print(line)
        for line in commands(args.runs, cache, out):
            print(line)
        sizes = {p.name: p.stat().st_size // 1024 for p in out.glob("briefing.*")}
        print(f"\noutput sizes (KiB): {sizes}")
        sheets = out / "sheets"
        run(
            [*KHZ, "sheets", str(EXAMPLE), "-o", str(sheets), "--jobs", "1"],
            dict(os.environ, KHZREPORT_CACHE=str(cache)),
        )
        largest = max(p.stat().st_size for p in sheets.glob("*.pdf")) // 1024
        print(f"largest park sheet PDF (KiB): {largest}")


if __name__ == "__main__":
    main()
