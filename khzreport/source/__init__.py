"""Reading a source: the YAML file, its data files, themes and assets, all checked and located.

This stage turns untrusted files into a :class:`khzreport.model.Report`. It is the only one that
reads YAML or spreadsheets, and :mod:`.assets` is the one place where a file a source names
(photo, theme, data table) is confined to the source folder and checked.
"""

from typing import Any

__all__ = ["load", "read_yaml"]


def __getattr__(name: str) -> Any:
    """``load`` and ``read_yaml``, imported on first use: a module of this package (the data
    files' reader, in the build's table reader process) loads without pydantic and the model."""
    if name == "load":
        from .reader import load  # pydantic and the model load only to load a report

        return load
    if name == "read_yaml":
        from .yamlfile import read_yaml  # see above

        return read_yaml
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
