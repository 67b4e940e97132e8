"""Writers turn a resolved document into file bytes, one writer per format.

The registry and what the writers share live in :mod:`khzreport.writers.base`.
"""

from __future__ import annotations

from .base import WRITERS, render, suffix, writer

__all__ = ["WRITERS", "render", "suffix", "writer"]
