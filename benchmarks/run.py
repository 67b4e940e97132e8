"""Time khzreport on the Kunshan example: each stage in-process, and whole commands against peers.

Usage: ``benchmarks/setup.sh`` once (the peers' environment), then
``.venv/bin/python benchmarks/run.py [--runs 5]``. Prints medians and spread (min–max) over
the runs. Whole commands run as fresh processes, start-up included. Each row with a peer
runs khzreport and the peer in turn (A B A B …) and gives the median of the pairs' ratios,
so the ratio holds on a machine whose speed drifts. The peers (``benchmarks/peers/``, in
their own environment): a hand-written python-docx + matplotlib script writing a DOCX with
six charts, and pandoc → Typst with six matplotlib charts (the route Quarto takes to a PDF).
"Cold caches" empties the cache folder but for what it knows of the machine's fonts (which
the peers' matplotlib keeps in ``~/.cache/matplotlib`` too); the first build on a machine,
with every cache empty, is a row of its own.
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
PEERS = ROOT / "benchmarks" / ".venv-peers" / "bin" / "python"
"""The peers' own environment, made by ``benchmarks/setup.sh``."""


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
    """Empty the cache folder but for what it holds about the machine.

    That is the font search's answers (``fonts.json``) and matplotlib's font list
    (``matplotlib/``), which a peer keeps too (``~/.cache/matplotlib``): a build after a
    data edit finds them, only the first build on a machine does not. Drawn charts and
    remembered builds (``builds/``) go.
    """
    shutil.rmtree(cache / "builds", ignore_errors=True)
    for item in cache.glob("*"):
        if item.is_file() and item.name != "fonts.json":
            item.unlink()


def paired(
    a: Callable[[], object],
    b: Callable[[], object],
    runs: int,
    before: Callable[[], object] | None = None,
) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` in turn, A B A B …, so a drift of the machine hits both alike."""
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(runs):
        times_a += timed(a, 1, before)
        times_b += timed(b, 1)
    return times_a, times_b


def compared(name: str, peer: str, pair: tuple[list[float], list[float]], goal: str) -> str:
    ours, theirs = pair
    ratios = sorted(x / y for x, y in zip(ours, theirs, strict=True))
    return (
        f"| {name} | {statistics.median(ours):.3f} ({min(ours):.3f}–{max(ours):.3f}) "
        f"| {peer}: {statistics.median(theirs):.3f} | {statistics.median(ratios):.2f}× | {goal} |"
    )


def alone(name: str, times: list[float], goal: str) -> str:
    return f"| {name} | {statistics.median(times):.3f} ({min(times):.3f}–{max(times):.3f}) | – | – | {goal} |"


def commands(runs: int, cache: Path, out: Path) -> list[str]:
    env = dict(os.environ, KHZREPORT_CACHE=str(cache))
    if not PEERS.is_file():
        raise SystemExit("the peers are not installed: run benchmarks/setup.sh first")
    build = [*KHZ, "build", str(EXAMPLE), "-o", str(out)]
    docx_peer = [str(PEERS), str(ROOT / "benchmarks" / "peers" / "docx_matplotlib.py")]
    typst_peer = [str(PEERS), str(ROOT / "benchmarks" / "peers" / "pandoc_typst.py")]
    cold = lambda: clear_charts(cache)  # noqa: E731
    edited = out.parent / "edited" / EXAMPLE.name
    shutil.copytree(EXAMPLE.parent, edited.parent)
    edits = iter(range(10**6))
    edit = lambda: edited.write_text(  # noqa: E731  a comment: a new source, the same report
        EXAMPLE.read_text(encoding="utf-8") + f"# edit {next(edits)}\n", encoding="utf-8"
    )
    run([*build, "-f", "docx,pdf"], env)  # the machine's font caches, as a peer has them
    rows = [
        alone("`khzreport --help`", timed(lambda: run([*KHZ, "--help"], env), runs), ""),
        alone(
            "`khzreport validate`, source unchanged since the last check",
            timed(lambda: run([*KHZ, "validate", str(EXAMPLE)], env), runs),
            "≤ 0.2 s",
        ),
        alone(
            "`khzreport validate` after an edit of the source",
            timed(lambda: run([*KHZ, "validate", str(edited)], env), runs, edit),
            "≤ 0.2 s",
        ),
        compared(
            "`build` DOCX+PDF, cold caches",
            "python-docx + matplotlib, DOCX only, 6 charts",
            paired(
                lambda: run([*build, "-f", "docx,pdf"], env),
                lambda: run([*docx_peer, str(out / "peer.docx")], env),
                runs,
                cold,
            ),
            "≤ 1.15×",
        ),
        compared(
            "`build` PDF only, cold caches",
            "pandoc → Typst, 6 matplotlib charts",
            paired(
                lambda: run([*build, "-f", "pdf"], env),
                lambda: run([*typst_peer, str(out / "peer.pdf")], env),
                runs,
                cold,
            ),
            "≤ 1.0×",
        ),
    ]
    run([*build, "-f", "docx,pdf"], env)
    rows += [
        alone(
            "rebuild DOCX+PDF, nothing changed",
            timed(lambda: run([*build, "-f", "docx,pdf"], env), runs),
            "≤ 0.3 s",
        ),
        alone(
            "`build` DOCX+PDF, first build on the machine (every cache empty)",
            timed(
                lambda: run([*build, "-f", "docx,pdf"], env),
                runs,
                lambda: shutil.rmtree(cache, ignore_errors=True),
            ),
            "",
        ),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # khzreport's own modules compiled, as an installed package has them (the peers' libraries
    # are); with PYTHONDONTWRITEBYTECODE set, an editable checkout would compile every run
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "khzreport")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = Path(tmp) / "cache", Path(tmp) / "out"
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(f"runs: {args.runs}; seconds, median and min–max\n")
        print("| stage (in one process) | median s | range s |\n|---|---|---|")
        for line in stages(args.runs, cache):
            print(line)
        print(
            "\n| work (whole process) | khzreport s | peer, alternated with it, s | ratio | goal |"
        )
        print("|---|---|---|---|---|")
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
