"""Reading a source: the YAML file, its data files, themes and assets, all checked and located.

This stage turns untrusted files into a :class:`khzreport.model.Report`. It is the only one that
reads YAML or spreadsheets, and :mod:`.assets` is the one place where a file a source names
(photo, theme, data table) is confined to the source folder and checked.
"""

from .reader import load, read_yaml

__all__ = ["load", "read_yaml"]
