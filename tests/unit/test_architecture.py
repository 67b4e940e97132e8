"""The import graph of khzreport follows the stage order, has no cycles, and imports late
only the heavy optional libraries, each with a reason."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import khzreport

PACKAGE = Path(khzreport.__file__).parent

STAGES: list[set[str]] = [
    {"errors", "diagnostics", "locations", "limits", "resources", "output", "buildcache"},
    {"theme"},
    {"document"},
    {"model"},
    {"source"},
    {"resolver"},
    {"layouts"},
    {"charts", "drawer", "poolserver", "poolserver_tie"},
    {"writers"},
    {"batch"},
    {"api", "scaffold"},
    {"preview"},
    {"cli", "__init__", "__main__"},
]
"""Stages, lowest first: a module imports only from its own stage or lower ones."""

LATE_LIBRARIES = {
    "matplotlib": "drawing charts costs a second of import; validating never draws",
    "docx": "python-docx is needed only when a DOCX is written",
    "typst": "the Typst compiler is needed only when a PDF is written",
    "openpyxl": "only spreadsheet sources need it",
    "pypdf": "only sheet batches count pages and merge booklets",
    "PIL": "only image checks and PNG output need Pillow",
    "dask": "an optional executor for batches",
    "distributed": "an optional executor for batches",
    "lxml": "only the DOCX writer edits XML",
    "pptx": "python-pptx writes the chart parts of native DOCX charts only",
    "xlsxwriter": "only native DOCX charts embed a workbook",
    "fontTools": "only font checks read character maps",
    "rich": "only an interactive terminal shows a progress bar",
    "webbrowser": "only `preview --open` starts a web browser",
    "importlib": "importlib.metadata costs 50 ms to import; only khzreport.__version__ reads it",
    "ruamel": "ruamel.yaml reads only the sources the quick reader leaves, and writes YAML",
    "multiprocessing": "only a build's chart drawer needs it; `khzreport --help` does without",
}
"""Libraries a function may import when called, not at module import: heavy or optional."""

LATE_OWN = {
    ("khzreport", "khzreport.api"): "`import khzreport` stays light: the API loads on first use",
    ("khzreport", "khzreport.model"): "`import khzreport` stays light: pydantic loads on first use",
    ("khzreport.cli", "khzreport.api"): "`khzreport --help` would load pydantic and ruamel.yaml",
    ("khzreport.cli", "khzreport.buildcache"): "`khzreport --help` remembers nothing",
    (
        "khzreport.cli",
        "khzreport.scaffold",
    ): "`khzreport --help` would load ruamel.yaml and the API",
    ("khzreport.cli", "khzreport.poolserver"): "`khzreport --help` starts no process",
    ("khzreport.cli", "khzreport.preview"): "`khzreport --help` would load the API and the watcher",
    ("khzreport.charts", "khzreport.charts.drawing"): "drawing imports matplotlib at module level",
    ("khzreport.drawer", "khzreport.charts"): "the build forks the drawer before loading pydantic",
    ("khzreport.drawer", "khzreport.source.datafiles"): "only the forked table reader reads ahead",
    ("khzreport.drawer", "khzreport.source.yamlfile"): "only the forked table reader reads ahead",
    ("khzreport.source", "khzreport.source.reader"): "the table reader does without pydantic",
    ("khzreport.source", "khzreport.source.yamlfile"): "the table reader does without pydantic",
    ("khzreport.api", "khzreport.charts"): "`khzreport validate` and lint never draw a chart",
    (
        "khzreport.source.yamlfile",
        "khzreport.source.yamlfull",
    ): "ruamel.yaml loads for rare sources",
    ("khzreport.api", "khzreport.batch"): "`khzreport validate` and lint never start workers",
    ("khzreport.api", "khzreport.writers.pdf"): "the Typst compiler loads only for a PDF",
}
"""Own modules a module may import when called, because importing them loads heavy libraries."""


@dataclass(frozen=True)
class Import:
    module: str
    target: str
    line: int
    late: bool
    commented: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    for i, names in enumerate(STAGES):
        if key in names:
            return i
    raise AssertionError(f"{module} has no stage; add it to STAGES")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> list[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Import] = []

    def commented(line: int) -> bool:
        here = lines[line - 1]
        before = lines[line - 2].strip() if line > 1 else ""
        return "#" in here or before.startswith("#")

    def visit(node: ast.AST, late: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, late)
                continue
            inner = late or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    head = ".".join(base + ([child.module] if child.module else []))
                else:
                    head = child.module or ""
                if child.level and not child.module:
                    targets = [f"{head}.{a.name}" for a in child.names]
                else:
                    targets = [head]
            for target in targets:
                found.append(Import(module, target, child.lineno, late, commented(child.lineno)))
            visit(child, inner)

    visit(ast.parse("\n".join(lines), str(path)), False)
    return found


def own_module(target: str, known: set[str]) -> str | None:
    """Return the khzreport module an import names (``from . import x`` may name a module)."""
    while target:
        if target in known:
            return target
        target = target.rpartition(".")[0]
    return None


def graph() -> tuple[dict[str, Path], list[Import]]:
    files = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    return files, [i for p in files.values() for i in imports_of(p)]


def violations() -> list[str]:
    files, imports = graph()
    known = set(files)
    out: list[str] = []
    edges: dict[str, set[str]] = {m: set() for m in known}
    for imp in imports:
        where = f"{files[imp.module].relative_to(PACKAGE.parent)}:{imp.line}"
        target = own_module(imp.target, known) if imp.target.startswith("khzreport") else None
        if target is not None:
            if target != imp.module and not imp.module.startswith(target + "."):
                edges[imp.module].add(target)
            if imp.late and (imp.module, target) not in LATE_OWN:
                out.append(f"{where}: imports {target} inside a function")
            if stage_of(target) > stage_of(imp.module):
                out.append(f"{where}: {imp.module} (lower stage) imports {target}")
            continue
        if imp.late:
            top = imp.target.split(".")[0]
            if top not in LATE_LIBRARIES:
                out.append(f"{where}: imports {imp.target} inside a function")
            elif not imp.commented:
                out.append(f"{where}: imports {imp.target} late without a reason comment")
    out.extend(f"import cycle: {' -> '.join(c)}" for c in cycles(edges))
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return one cycle through each strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    groups: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return groups


def test_every_module_has_a_stage() -> None:
    files, _ = graph()
    for module in files:
        stage_of(module)


def test_the_checker_sees_late_and_upward_imports(tmp_path: Path) -> None:
    path = PACKAGE / "layouts" / "fit.py"
    found = {(i.target, i.late) for i in imports_of(path)}
    assert ("khzreport.layouts.sheet", False) in found
    assert ("khzreport.document", False) in found
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_batch_and_fitting_follow_the_stage_order() -> None:
    mine = ("khzreport/batch/", "khzreport/layouts/fit.py")
    found = [v for v in violations() if v.startswith(mine) or "khzreport.batch" in v]
    batch = {i.target for i in graph()[1] if i.module.startswith("khzreport.batch")}
    assert "khzreport.api" not in batch
    assert not found, "\n".join(found)


def test_imports_follow_the_stage_order_without_cycles() -> None:
    found = violations()
    assert not found, "\n".join(found)
