"""Time park sheets in batch: N sheets serially (jobs=1) and in parallel, with peak memory.

Usage: ``.venv/bin/python benchmarks/sheets.py [--n 10 100 1000] [--jobs J] [--formats docx,pdf]``.

The N parks are the Kunshan example's parks repeated under new ids (``<id>__k``), each a copy
of its own (no YAML aliases), written to a temporary copy of the example folder. Each measurement runs in a fresh process (start-up and
source parsing included) on a chart cache warmed beforehand, and prints sheets per second and
the peak resident memory of the parent and of its largest worker (``resource.getrusage`` of
self and of children; on Linux ``ru_maxrss`` is in KiB), and the CPU time of the whole run
(parent, fork server and workers, user and system) in all and per sheet: on a machine shared
with other work the seconds vary, the CPU time much less. A script, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"


def make_source(folder: Path, n: int) -> Path:
    """Write a copy of the example whose ``parks`` holds ``n`` parks (the example's, repeated)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    data = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    originals = list(data["parks"])
    parks = []
    for k in range(n):
        # A copy of its own: parks sharing their lists would be written with YAML anchors
        # and aliases (*id001), which a source written by hand or exported does not use,
        # and which the reader reads the slow way.
        park = copy.deepcopy(originals[k % len(originals)])
        if k >= len(originals):
            park["id"] = f"{park['id']}__{k // len(originals)}"
        parks.append(park)
    data["parks"] = parks
    # Copied, not symlinked: paths in a source may not lead outside its folder, and a
    # symlink's target does.
    for item in EXAMPLE.parent.iterdir():
        target = folder / item.name
        if item.name == EXAMPLE.name or target.exists():
            continue
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)
    source = folder / "report.yaml"
    with source.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return source


def child(source: str, outdir: str, jobs: int, formats: str) -> None:
    """Run one batch in this process and print its figures as JSON (the measured part)."""
    import resource

    started = time.perf_counter()
    from khzreport.batch import build_sheets

    result = build_sheets(source, outdir, jobs=jobs, formats=formats)
    seconds = time.perf_counter() - started
    # Pool workers are children of the forkserver, not of this process: stop the server so
    # their usage (which it reaped) is counted in RUSAGE_CHILDREN. Private API; best effort.
    with contextlib.suppress(Exception):
        from multiprocessing import forkserver

        forkserver._forkserver._stop()  # type: ignore[attr-defined]
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "sheets": len(result.done),
                "failed": len(result.failed),
                "seconds": seconds,
                "self_mib": me.ru_maxrss / 1024,
                "children_mib": children.ru_maxrss / 1024,
                "self_cpu": me.ru_utime + me.ru_stime,
                "children_cpu": children.ru_utime + children.ru_stime,
            }
        )
    )


def measure(source: Path, outdir: Path, jobs: int, formats: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(source), str(outdir), str(jobs), formats],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"batch failed:\n{proc.stderr}")
    figures: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 100, 1000], help="batch sizes")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel workers")
    parser.add_argument("--formats", default="docx,pdf")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        source, outdir, jobs, formats = args.child
        child(source, outdir, int(jobs), formats)
        return
    with tempfile.TemporaryDirectory(prefix="khz-bench-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("KHZREPORT_CACHE", str(work / "chart-cache"))
        warm = work / "warm"
        warm.mkdir()
        measure(make_source(warm, 19), work / "warm-out", 1, args.formats)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, formats {args.formats}")
        print(
            f"{'sheets':>7} {'jobs':>5} {'seconds':>8} {'sheets/s':>9} "
            f"{'parent MiB':>11} {'worker MiB':>11} {'CPU s':>7} {'ms/sheet':>9}"
        )
        for n in args.n:
            folder = work / f"n{n}"
            folder.mkdir()
            source = make_source(folder, n)
            for jobs in dict.fromkeys([1, args.jobs]):
                r = measure(source, folder / f"out-j{jobs}", jobs, args.formats)
                if r["failed"] or r["sheets"] != n:
                    raise SystemExit(f"expected {n} sheets, got {r}")
                workers = f"{r['children_mib']:>11.0f}" if jobs > 1 else f"{'-':>11}"
                cpu = r["self_cpu"] + r["children_cpu"]
                print(
                    f"{n:>7} {jobs:>5} {r['seconds']:>8.2f} {n / r['seconds']:>9.1f} "
                    f"{r['self_mib']:>11.0f} {workers} {cpu:>7.1f} {1000 * cpu / n:>9.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
