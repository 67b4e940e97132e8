"""The manifest is journaled: a run that dies before writing ``manifest.json`` (kill -9,
a full disk) still lets ``--resume`` keep the sheets it finished and redo only the rest."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

import khzreport.batch as batch
from khzreport.batch import SheetOutcome, build_sheets
from khzreport.batch.manifest import JOURNAL, MANIFEST
from tests.unit.batch.test_batch import ids, make_source


class TestResumeAfterACrashBeforeTheManifest:
    def test_resume_redoes_only_the_parks_the_journal_lacks(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        source = make_source(tmp_path)
        out = tmp_path / "out"

        def disk_full(*args: Any, **kwargs: Any) -> Path:
            raise OSError(errno.ENOSPC, "No space left on device")

        def die_after_two(done: int, total: int, outcome: SheetOutcome) -> None:
            if done == 2:
                raise KeyboardInterrupt  # stands in for kill -9: no manifest is written

        with monkeypatch.context() as m:
            m.setattr(batch, "write_manifest", disk_full)
            with pytest.raises(KeyboardInterrupt):
                build_sheets(source, out, jobs=1, formats="docx", progress=die_after_two)
        assert not (out / MANIFEST).exists()
        lines = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
        assert [json.loads(x).get("park") for x in lines[1:]] == ["park_a", "park_b"]
        with open(out / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write('{"park": "park_c", "stat')  # a line cut short by the kill

        result = build_sheets(source, out, jobs=1, formats="docx", resume=True)
        assert ids(result.skipped) == ["park_a", "park_b"]
        assert ids(result.done) == ["park_c"]
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        assert [e["status"] for e in manifest["parks"]] == ["ok", "ok", "ok"]
        assert not (out / JOURNAL).exists()

    def test_a_journal_of_other_inputs_is_not_trusted(self, tmp_path: Path) -> None:
        source = make_source(tmp_path)
        out = tmp_path / "out"
        build_sheets(source, out, jobs=1, formats="docx")
        (out / MANIFEST).unlink()
        (out / JOURNAL).write_text(
            '{"inputs": "other"}\n{"park": "park_a", "status": "ok", "outputs": []}\n',
            encoding="utf-8",
        )
        result = build_sheets(source, out, jobs=1, formats="docx", resume=True)
        assert ids(result.done) == ["park_a", "park_b", "park_c"]
