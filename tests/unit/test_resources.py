"""The one cache folder: ``$KHZREPORT_CACHE`` as given, else the platform's user cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from khzreport.resources import CACHE_ENV, cache_dir


def test_the_environment_names_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"  # charts and fonts.json straight inside, as before


@pytest.mark.skipif(sys.platform != "linux", reason="XDG folders are Linux's")
def test_default_is_the_user_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "khzreport" / "charts"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "khzreport" / "charts"
