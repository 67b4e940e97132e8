"""Sheet files are written by threads while the batch goes on; what that must not change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import khzreport.batch as batch
from khzreport.batch import SheetOutcome, build_sheets
from khzreport.batch.manifest import MANIFEST
from khzreport.errors import OutputError
from khzreport.output import write_atomic
from tests.unit.batch.test_batch import ids, make_source


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_follows_the_parks_as_they_arrive_with_their_files_in_place(
    tmp_path: Path, jobs: int
) -> None:
    source = make_source(tmp_path)
    out = tmp_path / "out"
    seen: list[tuple[int, str, bool]] = []

    def progress(done: int, total: int, outcome: SheetOutcome) -> None:
        here = all(o.path.is_file() for o in outcome.outputs.values())
        seen.append((done, outcome.park, here and len(outcome.outputs) == 2))

    result = build_sheets(source, out, jobs=jobs, progress=progress)
    assert ids(result.done) == ["park_a", "park_b", "park_c"]
    assert [d for d, _, _ in seen] == [1, 2, 3]
    assert sorted(p for _, p, _ in seen) == ["park_a", "park_b", "park_c"]
    assert all(here for _, _, here in seen)  # recorded only once both files are written
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["parks"]] == ["ok", "ok", "ok"]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_write_stops_the_batch_with_its_error_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    source = make_source(tmp_path)
    out = tmp_path / "out"
    calls: list[Path] = []

    def full_disk_at_the_third_file(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OutputError("cannot write: the disk is full", None)
        write_atomic(path, data)

    monkeypatch.setattr(batch, "write_atomic", full_disk_at_the_third_file)
    with pytest.raises(OutputError, match="the disk is full"):
        build_sheets(source, out, jobs=jobs)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    statuses = {e["park"]: e["status"] for e in manifest["parks"]}
    assert list(statuses.values()).count("ok") <= 1  # only a sheet whose two files are in
    for park, status in statuses.items():
        if status == "ok":
            assert (out / f"{park}.docx").is_file() and (out / f"{park}.pdf").is_file()
