"""The Python API as a script uses it: derived reports, errors from objects built in code."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest

import khzreport
from khzreport.errors import KhzReportError, ReportValidationError, UnknownIdError
from khzreport.locations import source_map

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"


@pytest.fixture(scope="module")
def report() -> khzreport.Report:
    return khzreport.load(EXAMPLE)


def _html(report: khzreport.Report, out: Path) -> str:
    result = khzreport.build(report, out, formats="html")
    return result.outputs[0].read_text(encoding="utf-8")


def test_a_copy_and_its_original_each_print_their_own_value(
    report: khzreport.Report, tmp_path: Path
) -> None:
    before = _html(report, tmp_path / "a")
    assert "740亿元" in before
    changed = report.with_values({"cluster_electronics": 800})
    copied = _html(changed, tmp_path / "b")
    assert "800亿元" in copied and "740亿元" not in copied
    assert _html(report, tmp_path / "c") == before
    pydantic_copy = report.model_copy(update={"indicators": changed.indicators})
    assert "800亿元" in _html(pydantic_copy, tmp_path / "d")
    assert _html(report, tmp_path / "e") == before


def test_lookups_follow_the_fields_of_each_copy(report: khzreport.Report) -> None:
    assert report.indicator("cluster_electronics").value == 740
    for derived in (
        report.with_values({"cluster_electronics": 1}),
        report.replace(indicators=[*report.with_values({"cluster_electronics": 1}).indicators]),
        report.model_copy(
            update={"indicators": report.with_values({"cluster_electronics": 1}).indicators}
        ),
    ):
        assert derived.indicator("cluster_electronics").value == 1
        assert report.indicator("cluster_electronics").value == 740
    assert copy.copy(report).indicator("cluster_electronics").value == 740
    assert copy.deepcopy(report) == report


def test_a_derived_report_keeps_the_source_folder(report: khzreport.Report) -> None:
    derived = report.replace(lead="新的导语")
    assert derived.lead == "新的导语"
    smap = source_map(derived)
    assert smap is not None and smap.folder == EXAMPLE.parent
    assert report.with_values({"cluster_electronics": 2}) == report.with_values(
        {"cluster_electronics": 2}
    )


def test_a_wrong_value_is_a_located_error_at_once(report: khzreport.Report) -> None:
    with pytest.raises(ReportValidationError) as info:
        report.with_values({"cluster_electronics": "lots"})
    assert info.value.location is not None
    assert info.value.location.path.endswith(".value")
    assert "expected a number" in info.value.message
    with pytest.raises(ReportValidationError, match=r"^kpis: expected a list"):
        report.model_copy(update={"kpis": 5})
    with pytest.raises(ReportValidationError, match="unknown field 'leed'"):
        report.replace(leed="x")


def test_an_unknown_id_is_a_located_key_error(report: khzreport.Report) -> None:
    with pytest.raises(UnknownIdError, match="unknown indicator 'cluster_electronic'") as info:
        report.indicator("cluster_electronic")
    assert isinstance(info.value, KeyError) and isinstance(info.value, KhzReportError)
    assert "did you mean 'cluster_electronics'?" in str(info.value)
    with pytest.raises(UnknownIdError, match="unknown indicator 'nope'"):
        report.with_values({"nope": 1})


META = {"id": "r", "title": "t", "issuer": "i", "year": 2023, "date": "2024-01-01"}


def test_objects_built_in_python_fail_with_located_errors() -> None:
    from khzreport.model import Indicator, Report

    with pytest.raises(khzreport.ReportValidationError, match=r"^value: expected a number"):
        Indicator(id="gdp", label="GDP", value="lots")
    with pytest.raises(khzreport.ErrorGroup) as group:
        Report(meta={"id": "r"})
    assert [e.location.path for e in group.value.errors if e.location] == [
        "meta.title",
        "meta.issuer",
        "meta.year",
        "meta.date",
    ]
    with pytest.raises(ValueError, match=r"indicators\[0\]\.value: expected a number"):
        Report(meta=META, indicators=[{"id": "g", "label": "x", "value": "lots"}])


def test_references_of_a_report_built_in_python_are_checked() -> None:
    from khzreport.model import Report

    report = Report(
        meta=META,
        kpis=["nope"],
        indicators=[{"id": "g", "label": "x", "value": 1}, {"id": "g", "label": "y", "value": 2}],
    )
    with pytest.raises(khzreport.ErrorGroup) as group:
        khzreport.resolve(report)
    assert [e.one_line() for e in group.value.errors] == [
        "indicators[1].id: duplicate indicator id 'g' (first defined as indicators[0])",
        "kpis[0]: unknown indicator 'nope' (define it under 'indicators')",
    ]
    with pytest.raises(khzreport.ErrorGroup):
        khzreport.validate(report)


def test_error_classes_are_exported_with_names_distinct_from_pydantic() -> None:
    import pydantic

    for name in (
        "KhzReportError",
        "ReportValidationError",
        "UnknownIdError",
        "SourceError",
        "TemplateError",
        "FontError",
        "OutputError",
        "ErrorGroup",
    ):
        cls = getattr(khzreport, name)
        assert issubclass(cls, khzreport.KhzReportError)
        assert name in khzreport.__all__
    assert khzreport.ReportValidationError is not pydantic.ValidationError


def test_output_errors_name_no_command_line_flag(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    report = khzreport.load(EXAMPLE)
    with pytest.raises(khzreport.OutputError) as info:
        khzreport.build(report, blocker / "out", formats="html")
    assert " -o" not in str(info.value) and "output folder" in str(info.value)


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_render_returns_each_format_as_bytes_and_keeps_nothing_without_a_cache(
    report: khzreport.Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home_cache = tmp_path / "home-cache"
    monkeypatch.setenv("KHZREPORT_CACHE", str(home_cache))
    html = khzreport.render(report, "html", cache=None).decode("utf-8")
    assert "740亿元" in html
    docx = khzreport.render(report, "docx", cache=None)
    assert docx[:2] == b"PK"
    assert not home_cache.exists()
    own = tmp_path / "charts"
    pdf = khzreport.render(khzreport.resolve(report), "pdf", cache=own)
    assert pdf.startswith(b"%PDF") and "740" in _pdf_text(pdf)
    assert any(own.iterdir())
    with pytest.raises(khzreport.ReportValidationError, match="unknown format 'odt'"):
        khzreport.render(report, "odt")


def test_render_sheet_fits_one_page_like_the_batch(report: khzreport.Report) -> None:
    park = report.parks[0]
    pdf = khzreport.render_sheet(report, park.id, "pdf", cache=None)
    import io

    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert park.name in _pdf_text(pdf).replace("\n", "")
    both = khzreport.render_sheet(report, park.id, ["pdf", "html"], cache=None)
    assert set(both) == {"pdf", "html"} and park.name in both["html"].decode("utf-8")
    with pytest.raises(UnknownIdError, match="unknown park"):
        khzreport.render_sheet(report, "nowhere", "pdf")


def test_render_from_eight_threads_gives_each_its_own_document(
    report: khzreport.Report, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    values = [700 + i for i in range(8)]
    variants = [report.with_values({"cluster_electronics": v}) for v in values]

    def one(i: int) -> str:
        if i % 2:
            return _pdf_text(khzreport.render(variants[i], "pdf", cache=tmp_path / "c"))
        return khzreport.render(variants[i], "html", cache=None).decode("utf-8")

    with ThreadPoolExecutor(8) as pool:
        texts = list(pool.map(one, range(8), timeout=600))
    for value, text in zip(values, texts, strict=True):
        assert f"{value}亿元" in text.replace("\n", "")


def test_importing_the_api_loads_no_renderer() -> None:
    import subprocess
    import sys

    code = (
        "import sys, khzreport.api, khzreport; khzreport.render; khzreport.ReportValidationError;"
        "print(sorted(m for m in ('typst', 'docx', 'matplotlib', 'pypdf', 'khzreport.charts',"
        " 'khzreport.batch', 'khzreport.writers.pdf') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_theme_given_in_code_in_each_form(report: khzreport.Report, tmp_path: Path) -> None:
    from khzreport.theme import Theme

    plain = khzreport.resolve(report).theme
    assert plain.name == "briefing" and not plain.masthead
    preset = Theme.preset("gov", toc=False, colors={"primary": "#003366"})
    assert (preset.name, preset.masthead, preset.toc, preset.colors.primary) == (
        "gov",
        True,
        False,
        "#003366",
    )
    file = tmp_path / "mine.yaml"
    file.write_text("extends: gov\ncolors:\n  primary: '#112233'\n", encoding="utf-8")
    for choice, primary in (
        ("gov", Theme.preset("gov").colors.primary),
        (file, "#112233"),
        (str(file), "#112233"),
        (preset, "#003366"),
        ({"extends": "gov", "colors": {"primary": "#445566"}}, "#445566"),
    ):
        theme = khzreport.resolve(report, theme=choice).theme
        assert theme.masthead and theme.colors.primary == primary
    html = khzreport.render(
        report, "html", theme={"extends": "gov", "colors": {"primary": "#445566"}}, cache=None
    )
    assert b"#445566" in html


def test_a_wrong_theme_in_code_is_a_located_error(report: khzreport.Report) -> None:
    from khzreport.theme import Theme

    with pytest.raises(
        khzreport.ReportValidationError, match=r"^theme\.colors\.primary: expected a colour"
    ):
        khzreport.resolve(report, theme={"extends": "gov", "colors": {"primary": "blue"}})
    with pytest.raises(
        khzreport.ReportValidationError, match=r"^theme\.extends: unknown theme preset 'gv'"
    ):
        Theme.preset("gv")
    with pytest.raises(khzreport.ReportValidationError, match=r"unknown field 'tocc'"):
        Theme.preset("gov", tocc=False)
    with pytest.raises(khzreport.ReportValidationError, match="theme file not found"):
        khzreport.resolve(report, theme="no-such-theme.yaml")


def test_sheets_take_a_theme_given_in_code(report: khzreport.Report, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    park = report.parks[0].id
    theme = {"extends": "gov", "colors": {"primary": "#445566"}}
    serial = khzreport.build_sheets(
        report, tmp_path / "a", parks=[park], formats="docx", theme=theme, jobs=1
    )
    with ThreadPoolExecutor(2) as pool:
        pooled = khzreport.build_sheets(
            report, tmp_path / "b", parks=[park], formats="docx", theme=theme, executor=pool
        )
    for result in (serial, pooled):
        assert [o.park for o in result.done] == [park]
        (sheet,) = result.outdir.glob("*.docx")
        with zipfile.ZipFile(sheet) as docx:
            xml = b"".join(docx.read(n) for n in docx.namelist() if n.endswith(".xml"))
        assert b"445566" in xml


def _renamed(report: khzreport.Report, name: str) -> khzreport.Report:
    first, *rest = report.parks
    return report.replace(parks=[first.model_copy(update={"name": name}), *rest])


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/document.xml").decode("utf-8")


def test_workers_render_the_report_in_memory_not_the_file(
    report: khzreport.Report, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    changed = _renamed(report, "改名后的产业园")
    park, other = changed.parks[0].id, changed.parks[1].id
    result = khzreport.build_sheets(
        changed, tmp_path / "pool", parks=[park, other], formats="docx", jobs=2
    )
    assert sorted(o.park for o in result.done) == sorted([park, other])
    (sheet,) = [o.outputs["docx"].path for o in result.done if o.park == park]
    assert "改名后的产业园" in _docx_text(sheet)

    submitted: list[object] = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(args)
            return super().submit(fn, *args, **kwargs)

    with Counting(2) as pool:
        khzreport.build_sheets(
            changed, tmp_path / "mine", parks=[park], formats="docx", executor=pool
        )
    assert len(submitted) == 1
    (sheet,) = (tmp_path / "mine").glob("*.docx")
    assert "改名后的产业园" in _docx_text(sheet)


def test_a_process_pool_that_forks_is_refused(report: khzreport.Report, tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fork = multiprocessing.get_context("fork")
    with (
        ProcessPoolExecutor(1, mp_context=fork) as pool,
        pytest.raises(khzreport.ReportValidationError, match="forks its workers") as info,
    ):
        khzreport.build_sheets(report, tmp_path, formats="docx", executor=pool)
    assert "forkserver" in str(info.value)


def test_a_document_shows_itself_in_a_notebook_as_the_html_edition(
    report: khzreport.Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    import html
    import re
    import sys
    import types

    from khzreport import api

    assert not api.show_documents_in_notebooks()  # no kernel: nothing registered
    registered: dict[type, object] = {}
    formatter = types.SimpleNamespace(for_type=registered.__setitem__)
    shell = types.SimpleNamespace(
        display_formatter=types.SimpleNamespace(formatters={"text/html": formatter})
    )
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert api.show_documents_in_notebooks()
    show = registered[api.Document]
    document = khzreport.resolve(report)
    framed = show(document)  # type: ignore[operator]
    match = re.fullmatch(
        r'<iframe sandbox="" title="([^"]*)" style="[^"]*" srcdoc="([^"]*)"></iframe>', framed
    )
    assert match, framed[:300]
    assert match.group(1) == report.meta.title
    page = html.unescape(match.group(2))
    assert page == khzreport.render(document, "html").decode("utf-8")
    assert "<svg" in page  # charts inline
    assert report.meta.title in page


def test_formats_written_side_by_side_report_as_if_written_one_after_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    import time

    from khzreport import api
    from khzreport.diagnostics import Diagnostics
    from khzreport.errors import OutputError

    threads: dict[str, str] = {}

    def fake(
        fmt: str, document: object, charts: object, *, diagnostics: Diagnostics, **_: object
    ) -> bytes:
        threads[fmt] = threading.current_thread().name
        if fmt == "pdf":
            time.sleep(0.2)  # the other formats finish first
        diagnostics.warn(f"{fmt}-note", f"written by {fmt}")
        diagnostics.warn("shared", "said by every writer")
        if fmt != "docx":
            raise OutputError(f"{fmt} failed")
        return fmt.encode()

    monkeypatch.setattr(api, "render_format", fake)
    channel = Diagnostics()
    with pytest.raises(OutputError, match="pdf failed"):
        api._render_formats(["docx", "pdf", "html"], None, {}, channel, None, None)  # type: ignore[arg-type]
    assert [d.code for d in channel] == ["docx-note", "shared", "pdf-note"]
    assert threads["pdf"] != threads["docx"] == threads["html"]
    monkeypatch.setattr(api, "render_format", lambda fmt, *a, diagnostics, **k: fmt.encode())
    assert api._render_formats(["html", "pdf", "docx"], None, {}, Diagnostics(), None, None) == [  # type: ignore[arg-type]
        b"html",
        b"pdf",
        b"docx",
    ]
