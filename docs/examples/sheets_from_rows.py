"""Story 3: park sheets from a table of rows, on worker processes and on a Dask cluster.

The report is built in memory from rows (as read from a CSV or a database); workers get
the object itself with the bytes of the files it reads, so they need no source folder.
A script that starts worker processes keeps its work under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

import khzreport
from khzreport.batch import BatchResult
from khzreport.model import Indicator, Meta, Park, Report


class Row(NamedTuple):
    id: str
    name: str
    firms: int
    output: float


ROWS = [
    Row("north", "北区智造产业园", 120, 356.2),
    Row("lake", "湖畔数字经济园", 85, 210.4),
    Row("east", "东部生物医药港", 64, 158.9),
]


def report_from_rows() -> Report:
    """Return a report with one park (and its two indicators) per row."""
    indicators = []
    parks = []
    for row in ROWS:
        pid = row.id
        indicators += [
            Indicator(id=f"{pid}_output", label="工业总产值", value=row.output, unit="亿元"),
            Indicator(id=f"{pid}_firms", label="高新技术企业", value=row.firms, unit="家"),
        ]
        parks.append(
            Park(
                id=pid,
                name=row.name,
                kind="产业园",
                indicators=[f"{pid}_output", f"{pid}_firms"],
                narrative=f"园区实现工业总产值{{{{ ind.{pid}_output }}}}。",
            )
        )
    return Report(
        meta=Meta(
            id="parks_2023",
            title="园区2023年发展概览",
            issuer="示范高新区管委会",
            year=2023,
            date=dt.date(2024, 1, 15),
        ),
        indicators=indicators,
        parks=parks,
    )


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/document.xml").decode("utf-8")


def check(result: BatchResult) -> None:
    assert result.ok, [o.errors for o in result.failed]
    by_park = {o.park: o for o in result.done}
    for row in ROWS:
        outcome = by_park[row.id]
        assert outcome.name == row.name
        assert row.name in docx_text(outcome.outputs["docx"].path)
        assert outcome.outputs["pdf"].pages == 1


def main() -> None:
    report = report_from_rows()
    with tempfile.TemporaryDirectory() as out:
        check(khzreport.build_sheets(report, Path(out) / "pool", jobs=2))
        try:
            import distributed
        except ImportError:  # the "cluster" extra is not installed
            print("sheets:", len(ROWS), "(no Dask)")
            return
        # distributed ships no type information, hence the two ignores
        with (
            distributed.LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=2, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            result = khzreport.build_sheets(
                report, Path(out) / "dask", executor=client.get_executor(), jobs=2
            )
        check(result)
        print("sheets:", len(ROWS), "on Dask:", ", ".join(o.name for o in result.done))


if __name__ == "__main__":
    main()
