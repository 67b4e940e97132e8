"""Writers turn a resolved document into file bytes, one writer per format.

The registry maps a format name to the module and function that renders it. Modules are
imported only when their format is built, so validating a source never loads python-docx or
Typst.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

WRITERS: dict[str, tuple[str, str, str]] = {
    "docx": ("khzreport.writers.docx", "render_docx", ".docx"),
    "pdf": ("khzreport.writers.pdf", "render_pdf", ".pdf"),
    "html": ("khzreport.writers.html", "render_html", ".html"),
}
"""Format name → (module, function, file suffix)."""


def writer(fmt: str) -> Callable[..., bytes]:
    """Return the render function of a format (``render(document, charts, **options)``)."""
    module, func, _ = WRITERS[fmt]
    render_function: Callable[..., bytes] = getattr(importlib.import_module(module), func)
    return render_function


def suffix(fmt: str) -> str:
    """Return the file suffix of a format."""
    return WRITERS[fmt][2]


def render(fmt: str, document: Any, charts: Mapping[str, Any], **options: Any) -> bytes:
    """Render a document in one format."""
    return writer(fmt)(document, charts, **options)
