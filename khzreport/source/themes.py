"""Load a theme: a preset from ``assets/themes/`` or a YAML theme file next to the source.

Reading a theme file is reading source: it goes through the same YAML reader, with the same
limits, confinement and located errors as the report itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from ..errors import KhzReportError, Location, ValidationError, display_path, raise_all
from ..locations import format_path, source_map
from ..resources import asset_path
from ..theme import HEX_COLOR, PRESETS, Theme, theme_from_mapping
from .assets import confined_path
from .reader import read_yaml


def load_theme(ref: str, source_dir: Path | None, where: Location | None = None) -> Theme:
    """Return the theme named by a source: a preset name or a YAML file next to the source.

    A theme file is untrusted like the source: it must lie in the source's folder, its font
    files (``fonts.files``) in the theme's folder, its colours must be ``#RRGGBB`` and its
    sizes within range. ``where`` is the location of the source's ``theme`` field.
    """

    here = where or Location(None, None, None, "theme")
    if ref in PRESETS:
        file = asset_path("themes", f"{ref}.yaml")
    else:
        if source_dir is None and not ref.endswith((".yaml", ".yml")):
            raise ValidationError(
                f"unknown theme preset '{ref}'",
                here,
                "presets: " + ", ".join(PRESETS) + "; or name a .yaml theme file",
            )
        # a report built in code has no source folder: its theme file is the caller's
        file = confined_path(source_dir or Path.cwd(), ref, here)
        if not file.is_file():
            raise ValidationError(
                f"theme file not found: {ref}",
                here,
                "name a preset (" + ", ".join(PRESETS) + ") or a .yaml file next to the source",
            )
    data, smap = read_yaml(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(
            "expected a mapping of theme settings",
            Location(display_path(file), 1, 1),
            "write 'key: value' lines, e.g. extends: briefing",
        )
    if "base_dir" in data:
        raise ValidationError(
            "unknown field 'base_dir'",
            smap.locate(("base_dir",)),
            "font files are found relative to the theme file",
        )
    errors: list[KhzReportError] = []
    fonts = data.get("fonts")
    if isinstance(fonts, dict) and isinstance(fonts.get("files"), list):
        confined = []
        for k, name in enumerate(fonts["files"]):
            if not isinstance(name, str):
                continue  # the model reports the type
            try:
                confined.append(
                    str(confined_path(file.parent, name, smap.locate(("fonts", "files", k))))
                )
            except KhzReportError as exc:
                errors.append(exc)
        data = {**data, "fonts": {**fonts, "files": confined}}
    colors = data.get("colors")
    for key, value in colors.items() if isinstance(colors, dict) else ():
        values = value if key == "palette" and isinstance(value, list) else [value]
        for k, color in enumerate(values):
            if not (isinstance(color, str) and HEX_COLOR.match(color)):
                path = ("colors", key, k) if key == "palette" else ("colors", key)
                errors.append(
                    ValidationError(
                        f"expected a colour as #RRGGBB, got {color!r}",
                        smap.locate(path),
                        "for example #1F4E79",
                    )
                )
    base: dict[str, Any] = {}
    parent = data.pop("extends", None)
    if parent is not None:
        if parent not in PRESETS:
            errors.append(
                ValidationError(
                    f"unknown preset '{parent}'",
                    smap.locate(("extends",)),
                    "presets: " + ", ".join(PRESETS),
                )
            )
        else:
            pdata, _ = read_yaml(asset_path("themes", f"{parent}.yaml"))
            base = pdata or {}
    raise_all(errors)
    merged = _merge(base, data)
    merged["base_dir"] = str(file.parent)
    try:
        return Theme.model_validate(merged)
    except Exception as exc:
        if isinstance(exc, pydantic.ValidationError):
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
                message = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    message = f"unknown field '{loc[-1]}'"
                errors.append(
                    ValidationError(
                        message,
                        smap.locate(loc).with_path(format_path(loc)),
                        "see the theme keys in the README",
                    )
                )
            raise_all(errors)
        raise


ThemeChoice = str | os.PathLike[str] | Theme | Mapping[str, Any]
"""A theme given in code: a preset name, a theme file, a :class:`Theme`, or settings
(``{"extends": "gov", "colors": {"primary": "#003366"}}``)."""


def theme_from(choice: ThemeChoice, where: Location | None = None) -> Theme:
    """Return the theme a caller chose; a file is read (and checked) as a source's theme is."""
    if isinstance(choice, Theme):
        return choice
    if isinstance(choice, Mapping):
        return theme_from_mapping(choice)
    if isinstance(choice, str) and choice in PRESETS:
        return load_theme(choice, None, where)
    if not isinstance(choice, str | os.PathLike):
        raise ValidationError(
            f"expected a preset name, a theme file, a Theme or a mapping, got {type(choice).__name__}",
            where or Location(path="theme"),
        )
    file = Path(choice).absolute()
    return load_theme(file.name, file.parent, where)


def theme_for(report: Any, language: str | None = None) -> Theme:
    """Return the theme a report names (a preset, or a theme file next to its source).

    ``language`` is the edition being built; both editions share the theme today, and the
    argument keeps callers from having to change when an edition gets its own.
    """
    smap = source_map(report)
    if smap is None:
        return load_theme(report.theme, None)
    return load_theme(report.theme, smap.folder, smap.locate(("theme",)))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
