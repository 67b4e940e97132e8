"""Report sources are untrusted input: every bad input gets a located error, nothing is lost,
nothing escapes.

Each case builds into a folder that already holds an earlier output and checks that the
build exits with code 2, names the file, line and field path with a hint, shows no traceback,
leaves the folder byte for byte as it was and leaves no temporary file behind. Then the
limits of :mod:`khzreport.limits` are tested at and just over their values, and every route
out of the source folder (files, network) is tried.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import re
import shutil
import socket
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from khzreport import api, limits
from khzreport.batch.manifest import JOURNAL
from khzreport.cli import main
from khzreport.errors import KhzReportError, OutputError
from khzreport.source import read_yaml

FIXTURES = Path(__file__).parents[1] / "fixtures"
BAD = FIXTURES / "bad"
MINIMAL = FIXTURES / "minimal" / "report.yaml"
CASES = sorted(BAD.glob("*.yaml"))
README = Path(__file__).parents[2] / "README.md"

LOCATED = re.compile(
    r"^error: (?P<file>[^:\n]+\.ya?ml):(?P<line>\d+)(?::\d+)?: "
    r"(?:(?P<path>[A-Za-z_][\w.\[\]]*): )?(?P<message>.+) \((?P<hint>[^()]*(?:\([^()]*\)[^()]*)*)\)$"
)
"""``error: FILE:LINE[:COL]: [FIELD.PATH: ]MESSAGE (HINT)``"""

FILE_LEVEL = {"two_documents"}
"""Cases about the file as a whole, whose message has no field path."""


# -- helpers


def snapshot(folder: Path) -> dict[str, str]:
    """Return every file under ``folder`` (hidden ones too) with its sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def temp_files(*folders: Path) -> list[Path]:
    return [p for f in folders for p in f.rglob("*.tmp")] + [
        p for f in folders for p in f.rglob(".*") if p.is_file() and ".tmp" in p.name
    ]


def cli(*args: str) -> tuple[int, str]:
    """Run the command line in this process; return the exit code and stderr."""
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stderr


@pytest.fixture(scope="session")
def earlier_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a complete earlier build (DOCX, PDF, HTML) of the minimal source."""
    out = tmp_path_factory.mktemp("earlier") / "out"
    api.build(MINIMAL, out)
    return out


@pytest.fixture
def outdir(earlier_output: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(earlier_output, out)
    return out


def assert_refused(
    source: Path,
    outdir: Path,
    expect: str,
    *,
    path: str | None = None,
    line: int | None = None,
    command: str = "build",
) -> str:
    """Build ``source`` into ``outdir``; check the error and that nothing changed."""
    before = snapshot(outdir)
    folder_before = snapshot(source.parent)
    started = time.perf_counter()
    code, err = cli(command, str(source), "-o", str(outdir))
    seconds = time.perf_counter() - started
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    first = err.strip().splitlines()[0]
    m = LOCATED.match(first)
    assert m, first
    assert Path(m["file"]).name == source.name, first
    assert expect in first, first
    assert m["hint"], first
    if path is not None:
        assert m["path"] == path, first
    if line is not None:
        assert int(m["line"]) == line, first
    assert snapshot(outdir) == before
    assert snapshot(source.parent) == folder_before
    assert not temp_files(outdir, source.parent)
    assert seconds < 10, seconds
    return first


PARAGRAPH = (
    "          {{ meta.year }}年，全区规上工业总产值{{ ind.output }}，{{ ind.output | growth }}；\n"
    "          高新技术企业达{{ ind.firms }}。\n"
)
"""The narrative of the minimal source."""


def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def write(folder: Path, text: str | bytes, name: str = "report.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def with_figure(image: str) -> str:
    text = minimal_text().replace(
        "      - chart: scale\n", "      - chart: scale\n      - figure: fig\n"
    )
    return text + f"figures:\n  - id: fig\n    caption: 园区\n    image: {image}\n"


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels and holds almost nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def photo(kind: str = "JPEG", size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    from PIL import Image

    img = Image.new(mode, size, 1 if mode == "1" else (200, 40, 40))
    buf = io.BytesIO()
    img.save(buf, kind)
    return buf.getvalue()


# -- the bad-input suite: one source per case in tests/fixtures/bad


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_source_is_refused_and_the_output_folder_is_untouched(case: Path, outdir: Path) -> None:
    expect = case.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    first = assert_refused(case, outdir, expect)
    if case.stem not in FILE_LEVEL:
        assert LOCATED.match(first)["path"], f"no field path: {first}"  # type: ignore[index]


@pytest.mark.parametrize(
    "name",
    ["alias_bomb", "alias_recursive", "deep_flow", "template_for", "template_list_bomb"],
)
def test_bombs_are_refused_quickly(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(KhzReportError):
        report = api.load(BAD / f"{name}.yaml")
        api.validate(report)
    assert time.perf_counter() - started < 1.0


# -- inputs that cannot live in a text file


@pytest.mark.parametrize(
    ("name", "data", "expect", "line", "path"),
    [
        (
            "raw_nul",
            b"meta:\n  id: x\n  title: a\x00b\n",
            "the control character U+0000",
            3,
            "meta.title",
        ),
        (
            "raw_vt",
            b"meta:\n  id: x\n  title: a\x0bb\n",
            "control character U+000B",
            3,
            "meta.title",
        ),
        (
            "raw_fffe",
            "meta:\n  title: a\ufffeb\n".encode(),
            "the non-character U+FFFE",
            2,
            "meta.title",
        ),
        (
            "raw_esc",
            b"meta:\n  id: x\n\n  title: a\x1b[31m\n",
            "control character U+001B",
            4,
            "meta.title",
        ),
        (
            "gbk",
            "meta:\n  id: x\n  title: 示范高新区\n".encode("gbk"),
            "the file is not UTF-8",
            3,
            "meta.title",
        ),
        (
            "latin1",
            b"meta:\n  issuer: Caf\xe9\n",
            "the file is not UTF-8 (byte 0xe9)",
            2,
            "meta.issuer",
        ),
        ("utf16", "meta:\n  id: x\n".encode("utf-16"), "it looks like UTF-16", 1, None),
    ],
)
def test_bytes_yaml_or_documents_cannot_hold_are_located(
    tmp_path: Path, outdir: Path, name: str, data: bytes, expect: str, line: int, path: str | None
) -> None:
    source = write(tmp_path / "src", data)
    assert_refused(source, outdir, expect, line=line, path=path)


def test_deep_block_nesting_is_refused_at_the_limit(tmp_path: Path, outdir: Path) -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v\n"
    source = write(tmp_path / "src", text)
    assert_refused(source, outdir, f"nesting deeper than {limits.MAX_DEPTH} levels", line=65)


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    source = write(tmp_path, b"\xef\xbb\xbf" + MINIMAL.read_bytes())
    api.validate(api.load(source))


def test_yaml_1_1_traps_stay_what_yaml_1_2_says(tmp_path: Path) -> None:
    text = minimal_text().replace(
        "  year: 2023\n",
        "  year: 2023\n  masthead: no\n  subtitle: on\n  issue: 1e3\n  keywords: [yes, off, y]\n",
    )
    text = text.replace("    value: 820\n", "    value: 017\n    previous: 0o17\n")
    report = api.load(write(tmp_path, text))
    assert report.meta.masthead == "no"
    assert report.meta.subtitle == "on"
    assert report.meta.keywords == ["yes", "off", "y"]
    assert report.indicator("firms").value == 17  # not octal 15
    assert report.indicator("firms").previous == 15  # YAML 1.2 writes octal as 0o17
    assert report.meta.issue == 1000  # documented: a whole number written as 1e3 is accepted


def test_an_anchored_boolean_stays_a_boolean(tmp_path: Path) -> None:
    text = minimal_text().replace("    value: 820\n", "    value: &v true\n")
    with pytest.raises(
        KhzReportError, match=r"indicators\[1\]\.value: expected a number, got a yes/no"
    ):
        api.load(write(tmp_path, text))


def test_a_yaml_str_tag_makes_text(tmp_path: Path) -> None:
    text = minimal_text().replace("  title: 示范高新区2023年度发展简报", "  title: !!str 2023")
    assert api.load(write(tmp_path, text)).meta.title == "2023"


# -- limits, at and over


def test_readme_lists_every_limit_with_its_value() -> None:
    section = README.read_text(encoding="utf-8").split("## Security and limits", 1)[1]
    rows = re.findall(r"^\| [^|]+ \| `(\w+)` \| ([^|]+) \|", section, re.MULTILINE)
    listed = {name: value.strip() for name, value in rows}
    assert set(listed) == set(limits.ALL), set(listed) ^ set(limits.ALL)
    for name, value in limits.ALL.items():
        digits = re.sub(r"[^\d]", "", listed[name].split("(")[0])
        shown = {"MAX_NUMBER": "1e15"}.get(name)
        assert listed[name].startswith(shown) if shown else int(digits) == value, (
            name,
            listed[name],
        )


@pytest.mark.slow
def test_source_size_at_and_over_the_limit(tmp_path: Path, outdir: Path) -> None:
    head = MINIMAL.read_bytes() + b"\n# "
    at = head + b"x" * (limits.MAX_SOURCE_BYTES - len(head) - 1) + b"\n"
    assert len(at) == limits.MAX_SOURCE_BYTES
    api.load(write(tmp_path / "at", at))
    over = write(tmp_path / "over", at + b"\n")
    code, err = cli("build", str(over), "-o", str(outdir))
    assert code == 2
    assert f"the file is {limits.MAX_SOURCE_BYTES + 1} bytes, more than the limit" in err


def test_a_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    source = tmp_path / "report.yaml"
    with source.open("wb") as fh:
        fh.truncate(10 * 1024**3)  # sparse: 10 GB that take no disk
    started = time.perf_counter()
    with pytest.raises(KhzReportError, match="more than the limit"):
        api.load(source)
    assert time.perf_counter() - started < 1


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "report.yaml"
    os.mkfifo(fifo)
    with pytest.raises(KhzReportError, match="got a device, pipe or socket"):
        api.load(fifo)


def test_nesting_at_and_over_the_limit(tmp_path: Path) -> None:
    def nested(levels: int) -> str:
        return "a: " + "[" * levels + "]" * levels + "\n"

    read_yaml(write(tmp_path, nested(limits.MAX_DEPTH)))
    with pytest.raises(KhzReportError, match=f"nesting deeper than {limits.MAX_DEPTH}"):
        read_yaml(write(tmp_path, nested(limits.MAX_DEPTH + 1)))


def test_node_count_at_and_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading 50,000 nodes takes seconds: the boundary is checked with a smaller limit (the
    # real one is crossed by the alias bomb of tests/fixtures/bad and by the test below).
    import khzreport.source.yamlfile

    monkeypatch.setattr(khzreport.source.yamlfile, "MAX_NODES", 1000)
    items = 1000 - 3  # a mapping, its key, a list, and the list's items
    read_yaml(write(tmp_path, "a:\n" + "- 1\n" * items))
    with pytest.raises(KhzReportError, match="more than 1000 values") as info:
        read_yaml(write(tmp_path, "a:\n" + "- 1\n" * (items + 1)))
    assert f"report.yaml:{items + 2}:" in str(info.value)


def test_a_source_with_too_many_nodes_is_refused_at_the_node(tmp_path: Path) -> None:
    text = "a: [" + ", ".join(["1"] * limits.MAX_NODES) + "]\n"
    started = time.perf_counter()
    with pytest.raises(KhzReportError, match=f"more than {limits.MAX_NODES} values") as info:
        read_yaml(write(tmp_path, text))
    assert re.search(r"report\.yaml:1:\d+: a: ", str(info.value))
    assert time.perf_counter() - started < 10


def test_aliases_count_as_copies(tmp_path: Path) -> None:
    # 1 + (key + list + 1000 items) + (key + list + 50 aliases of the 1001-node list)
    # would be over 50,000 values once expanded: refused at the alias that crosses the limit
    text = "a: &a [" + ", ".join(["1"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 50) + "]\n"
    with pytest.raises(KhzReportError, match=r"report\.yaml:2:\d+: b: the alias \*a makes"):
        read_yaml(write(tmp_path, text))
    few = "a: &a [1, 2]\nb: [*a, *a]\nc: *a\n"
    data, _ = read_yaml(write(tmp_path, few))
    assert data == {"a": [1, 2], "b": [[1, 2], [1, 2]], "c": [1, 2]}


def test_text_length_at_and_over_the_limit(tmp_path: Path) -> None:
    def with_subtitle(n: int) -> Path:
        text = minimal_text().replace("  year: 2023\n", f"  year: 2023\n  subtitle: {'长' * n}\n")
        return write(tmp_path, text)

    assert len(api.load(with_subtitle(limits.MAX_TEXT_CHARS)).meta.subtitle or "") == 20_000
    with pytest.raises(KhzReportError, match=r"meta\.subtitle: too long: at most 20000"):
        api.load(with_subtitle(limits.MAX_TEXT_CHARS + 1))


def test_id_length_at_and_over_the_limit(tmp_path: Path) -> None:
    def with_id(n: int) -> Path:
        return write(tmp_path, minimal_text().replace("  id: demo_2023", f"  id: {'x' * n}"))

    api.load(with_id(limits.MAX_ID_CHARS))
    with pytest.raises(KhzReportError, match=r"meta\.id: too long"):
        api.load(with_id(limits.MAX_ID_CHARS + 1))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1000000000000000", True),
        ("-1000000000000000", True),
        ("1.0e15", True),
        ("-3.5", True),  # a value may be negative
        ("1000000000000001", False),
        ("-1000000000000001", False),
        ("1.0e300", False),
        (".inf", False),
        ("-.inf", False),
        (".nan", False),
        ('"99999999999999999/1"', False),
    ],
)
def test_number_limits(tmp_path: Path, value: str, ok: bool) -> None:
    source = write(tmp_path, minimal_text().replace("    value: 820\n", f"    value: {value}\n"))
    if ok:
        api.load(source)
    else:
        with pytest.raises(KhzReportError, match=r"report\.yaml:\d+:\d+: indicators\[1\]\.value"):
            api.load(source)


@pytest.mark.parametrize(
    ("field", "expect"),
    [
        # found by tests/acceptance/test_fuzz.py: 'period: false' became the year 0 and crashed the table
        ("period: false", "expected a whole number, text or a date like 2023-12-31, got a yes/no"),
        ("period: 0", "expected a value at least 1900, text or a date like 2023-12-31, got 0"),
        ("date: 20231123", "expected a date like 2023-12-31, got 20231123"),  # not a timestamp
        ("previous_period: true", "expected a whole number or text, got a yes/no value"),
    ],
)
def test_values_are_not_coerced_into_something_else(
    tmp_path: Path, field: str, expect: str
) -> None:
    text = minimal_text().replace("    value: 820\n", f"    value: 820\n    {field}\n")
    with pytest.raises(KhzReportError) as info:
        api.load(write(tmp_path, text))
    assert str(info.value).count("\n") == 0, str(info.value)
    assert re.match(r".*report\.yaml:\d+:\d+: indicators\[1\]\.\w+: ", str(info.value))
    assert expect in str(info.value)


@pytest.mark.parametrize(("year", "ok"), [(1900, True), (2107, True), (1899, False), (2108, False)])
def test_series_years_at_and_over_the_limit(tmp_path: Path, year: int, ok: bool) -> None:
    text = minimal_text().replace(
        "    value: 820\n", f"    value: 820\n    series: {{{year}: 1, 2023: 2}}\n"
    )
    source = write(tmp_path, text)
    if ok:
        api.load(source)
    else:
        with pytest.raises(KhzReportError, match="keyed by years from 1900 to 2107"):
            api.load(source)


@pytest.mark.parametrize(
    ("template", "refused"),
    [
        ("{{ 'x' * 10000 }}", None),
        ("{{ 'x' * 10001 }}", "a repeated text longer than 10000"),
        ("{{ 'x' * 10000 }}" * 5, None),  # 50,000 characters: at the limit
        ("{{ 'x' * 10000 }}" * 5 + "y", "renders to more than 50000"),
        ("{{ ('x' * 10000) + ('x' * 10000) }}", None),
        ("{{ 2 ** 100 }}", None),
        ("{{ 2 ** 101 }}", "an exponent larger than 100"),
        ("{{ 10 ** 99 }}", None),  # 100 digits
        ("{{ 10 ** 100 }}", "more than 100 digits"),
        ("{{ 10 ** 50 * 10 ** 50 }}", "more than 100 digits"),
        ("{% if 1 %}" * 18 + "x" + "{% endif %}" * 18, None),
        ("{% if 1 %}" * 19 + "x" + "{% endif %}" * 19, "nests more than 20 levels"),
        ("{{ range(10 ** 10) }}", "'range' is undefined"),
        ("{{ ind.firms.__class__ }}", "not allowed"),
        ("{{ meta }}", "a dict cannot be printed"),
        ("{% for x in [1] %}{% endfor %}", "'{% for %}' is not allowed"),
        ("{% with a = 1 %}{% endwith %}", "'{% with %}' is not allowed"),
        ("{% macro m() %}{% endmacro %}", "macros are not allowed"),
        ("{% filter value %}x{% endfilter %}", "'{% filter %}' is not allowed"),
        ("{% autoescape false %}x{% endautoescape %}", "is not allowed"),
        ("{{ 'a' ~ 'b' }}", "'~' is not allowed"),
        ("{{ '{0:>999999999}'.format(1) }}", "calling functions or methods is not allowed"),
        ("{{ ind.firms | value | attr('x') }}", "No filter named 'attr'"),
    ],
)
def test_narrative_limits(tmp_path: Path, template: str, refused: str | None) -> None:
    source = write(tmp_path, minimal_text().replace(PARAGRAPH, f"          {template}\n"))
    report = api.load(source)
    started = time.perf_counter()
    if refused is None:
        api.validate(report)
    else:
        with pytest.raises(KhzReportError) as info:
            api.validate(report)
        assert refused in str(info.value)
        assert re.search(
            r"report\.yaml:\d+(:\d+)?: sections\[0\]\.blocks\[0\]\.paragraph: ", str(info.value)
        )
        assert "(" in str(info.value)
    assert time.perf_counter() - started < 1


# -- photos


def test_photo_pixels_at_and_over_the_limit(tmp_path: Path) -> None:
    (tmp_path / "at.png").write_bytes(photo("PNG", (8000, 5000), mode="1"))  # 40 MP
    api.validate(api.load(write(tmp_path, with_figure("at.png"))))
    (tmp_path / "over.png").write_bytes(photo("PNG", (8000, 5001), mode="1"))
    with pytest.raises(KhzReportError, match="8000 x 5001 pixels, more than the limit of 40"):
        api.validate(api.load(write(tmp_path, with_figure("over.png"))))


def test_photo_bytes_at_and_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from khzreport.source import assets as common

    data = photo("JPEG")
    (tmp_path / "p.jpg").write_bytes(data)
    common._check_photo.cache_clear()
    monkeypatch.setattr(common, "MAX_IMAGE_BYTES", len(data))
    api.validate(api.load(write(tmp_path, with_figure("p.jpg"))))
    common._check_photo.cache_clear()
    monkeypatch.setattr(common, "MAX_IMAGE_BYTES", len(data) - 1)
    with pytest.raises(
        KhzReportError, match=f"the file has {len(data)} bytes, more than the limit"
    ):
        api.validate(api.load(write(tmp_path, with_figure("p.jpg"))))
    common._check_photo.cache_clear()


def test_a_huge_photo_file_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    with big.open("wb") as fh:
        fh.write(b"\xff\xd8\xff\xe0")
        fh.truncate(limits.MAX_IMAGE_BYTES + 1)  # sparse
    with pytest.raises(KhzReportError, match=f"more than the limit of {limits.MAX_IMAGE_BYTES}"):
        api.validate(api.load(write(tmp_path, with_figure("big.jpg"))))


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        (
            "bomb.png",
            png_header(20000, 20000),
            "20000 x 20000 pixels, more than the limit of 40 megapixels",
        ),
        ("corrupt.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "the PNG file is damaged"),
        ("truncated.jpg", photo("JPEG", (320, 240))[:400], "the JPEG file is damaged"),
        ("truncated.png", photo("PNG", (320, 240))[:100], "the PNG file is damaged"),
        (
            "renamed.jpg",
            photo("PNG"),
            "the file is a PNG image but is named .jpg (rename it to renamed.png)",
        ),
        ("photo.gif", photo("GIF"), "the file is in GIF format; photos must be PNG or JPEG"),
        ("photo.bmp", photo("BMP"), "the file is in BMP format"),
        ("photo.tiff", photo("TIFF"), "the file is in TIFF format"),
        ("photo.webp", photo("WEBP"), "the file is in WebP format"),
        ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "the file is in SVG format"),
        ("empty.png", b"", "not an image khzreport can read"),
    ],
)
def test_bad_photos_are_refused_by_content(
    tmp_path: Path, outdir: Path, name: str, data: bytes, expect: str
) -> None:
    src = tmp_path / "src"
    (src / "images").mkdir(parents=True)
    (src / "images" / name).write_bytes(data)
    source = write(src, with_figure(f"images/{name}"))
    assert_refused(source, outdir, expect, path="figures[0].image")


def test_symlinks_may_not_leave_the_source_folder(tmp_path: Path, outdir: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(photo("JPEG"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "inside.jpg").write_bytes(photo("JPEG"))
    (src / "escape.jpg").symlink_to(outside)
    (src / "alias.jpg").symlink_to(src / "inside.jpg")
    (src / "loop.jpg").symlink_to(src / "loop.jpg")
    api.validate(api.load(write(src, with_figure("alias.jpg"))))
    assert_refused(
        write(src, with_figure("escape.jpg")),
        outdir,
        "the path 'escape.jpg' leads outside the source folder",
        path="figures[0].image",
    )
    assert_refused(write(src, with_figure("loop.jpg")), outdir, "loop.jpg", path="figures[0].image")


def test_a_good_photo_is_built(tmp_path: Path) -> None:
    (tmp_path / "p.jpg").write_bytes(photo("JPEG", (400, 300)))
    (tmp_path / "q.png").write_bytes(photo("PNG", (400, 300)))
    for name in ("p.jpg", "q.png"):
        result = api.build(write(tmp_path, with_figure(name)), tmp_path / "out", formats="html")
        assert "data:image/" in result.outputs[0].read_text(encoding="utf-8")


# -- the theme: its file, its font files, its values


def theme_source(tmp_path: Path, theme_text: str, name: str = "mytheme.yaml") -> Path:
    write(tmp_path, theme_text, name)
    return write(tmp_path, minimal_text().replace("charts:\n", f"theme: {name}\ncharts:\n"))


@pytest.mark.parametrize(
    ("theme_text", "expect", "path"),
    [
        (
            "extends: briefing\nfonts:\n  files: [/etc/passwd]\n",
            "absolute paths are not allowed",
            "fonts.files[0]",
        ),
        ("fonts:\n  files: [../../x.otf]\n", "leads outside the source folder", "fonts.files[0]"),
        (
            "fonts:\n  files: ['https://example.com/f.otf']\n",
            "URLs are not allowed",
            "fonts.files[0]",
        ),
        ("base_dir: /etc\n", "unknown field 'base_dir'", "base_dir"),
        (
            "colors:\n  primary: 'red; background: url(http://example.com/x)'\n",
            "expected a colour as #RRGGBB",
            "colors.primary",
        ),
        (
            "colors:\n  palette: ['#123456', 'url(x)']\n",
            "expected a colour as #RRGGBB",
            "colors.palette[1]",
        ),
        ("sizes:\n  body: .nan\n", "finite number", "sizes.body"),
        ("chart:\n  width_cm: 100000\n", "less than or equal to 50", "chart.width_cm"),
        ("extends: nope\n", "unknown preset 'nope'", "extends"),
        (
            "chart:\n  width_cm: 40\n  dpi: 600\n  aspect: 1\n",
            "would be 89 megapixels, more than the limit of 40",
            "chart",
        ),
    ],
)
def test_theme_files_are_untrusted_too(
    tmp_path: Path, outdir: Path, theme_text: str, expect: str, path: str
) -> None:
    source = theme_source(tmp_path / "src", theme_text)
    before = snapshot(outdir)
    code, err = cli("build", str(source), "-o", str(outdir))
    assert code == 2, err
    first = err.strip().splitlines()[0]
    m = LOCATED.match(first)
    assert m and m["file"].endswith("mytheme.yaml"), first
    assert m["path"] == path, first
    assert expect in first, first
    assert snapshot(outdir) == before


def test_a_theme_font_file_inside_the_folder_is_used(tmp_path: Path) -> None:
    from khzreport.charts.fonts import theme_font_files

    source = theme_source(tmp_path, "fonts:\n  files: [fonts/My.otf]\n")
    theme = api.theme_of(api.load(source))
    assert theme_font_files(theme) == [(tmp_path / "fonts" / "My.otf").resolve()]


# -- output safety


def test_an_output_path_through_a_file_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "some_file.txt"
    blocker.write_text("keep me", encoding="utf-8")
    code, err = cli("build", str(MINIMAL), "-o", str(blocker / "out"), "-f", "html")
    assert code == 2, err
    assert "cannot write: a file is in the way of the output folder" in err
    assert "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "keep me"


def test_an_unwritable_place_is_an_output_error() -> None:
    code, err = cli("build", str(MINIMAL), "-o", "/proc/khz/out", "-f", "html")
    assert code == 2, err
    assert err.startswith("error: /proc/khz/out: cannot write")


def test_a_full_disk_leaves_every_earlier_output_intact(
    outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(outdir)
    real_fsync = os.fsync
    calls: list[str] = []

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        if Path(target).parent == outdir.resolve():
            calls.append(target)
            if len(calls) == 2:  # the DOCX is written, the PDF finds the disk full
                raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OutputError, match="cannot write: the disk is full") as info:
        api.build(MINIMAL, outdir)
    assert "briefing.pdf" in str(info.value)
    assert snapshot(outdir) == before  # the new DOCX was not put in place either
    assert not temp_files(outdir)


def test_every_output_file_is_written_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file of the output folder is opened for writing; each arrives by os.replace."""
    import builtins

    out = tmp_path / "out"
    replaced: list[Path] = []
    opened: list[str] = []
    real_replace, real_open = os.replace, builtins.open

    def spy_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if Path(dst).resolve().is_relative_to(out.resolve()):
            assert Path(src).parent.resolve() == Path(dst).parent.resolve()
            replaced.append(Path(dst))
        real_replace(src, dst, *args, **kwargs)

    def spy_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike) and any(c in mode for c in "wax+"):
            opened.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy_replace)
    monkeypatch.setattr(builtins, "open", spy_open)
    api.build(MINIMAL, out)
    api.build_sheets(MINIMAL, out / "sheets", jobs=1)
    written = sorted(p for p in out.rglob("*") if p.is_file())
    assert written and sorted(set(replaced)) == written
    # the manifest's journal alone is appended to (a line cut short is skipped when read)
    # and it is gone once the manifest is written
    assert not [
        f
        for f in opened
        if Path(f).resolve().is_relative_to(out.resolve()) and Path(f).name != JOURNAL
    ]
    assert not (out / "sheets" / JOURNAL).exists()


@pytest.fixture
def locked(outdir: Path) -> Iterator[Path]:
    """Hold the lock another build would hold on ``outdir``."""
    fd = os.open(outdir, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        yield outdir
    finally:
        os.close(fd)


def test_a_second_build_into_the_same_folder_is_refused(locked: Path) -> None:
    before = snapshot(locked)
    code, err = cli("build", str(MINIMAL), "-o", str(locked), "-f", "html")
    assert code == 2, err
    assert "another build is writing to" in err
    assert "(wait for it to finish, or write to another output folder)" in err
    assert snapshot(locked) == before


def test_a_second_sheet_batch_into_the_same_folder_is_refused(locked: Path) -> None:
    before = snapshot(locked)
    code, err = cli("sheets", str(MINIMAL), "-o", str(locked), "-j", "1")
    assert code == 2, err
    assert "another build is writing to" in err
    assert snapshot(locked) == before


def test_the_lock_leaves_no_file_and_is_released(tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.build(MINIMAL, out, formats="html")
    api.build(MINIMAL, out, formats="html")
    assert sorted(p.name for p in out.iterdir()) == ["briefing.html"]


# -- no network, no outside files, data never becomes markup


def test_data_is_escaped_in_html_and_literal_in_pdf_and_charts(tmp_path: Path) -> None:
    text = minimal_text().replace(
        "  title: 示范高新区2023年度发展简报",
        "  title: '示范<script>alert(1)</script>简报 #image(\"http://example.com/x.png\")'",
    )
    text = text.replace(
        "    title: 主要指标\n",
        "    title: '指标 $x^2$ \\ {b}'\n    labels: ['成本$5亿 \\alpha']\n",
    )
    text = text.replace(
        "          高新技术企业达{{ ind.firms }}。\n",
        '          高新技术企业达{{ ind.firms }}。<img src=x onerror=alert(2)> #read("/etc/passwd") [*x*]\n',
    )
    result = api.build(write(tmp_path, text), tmp_path / "out", formats="html,pdf,docx")
    html = (tmp_path / "out" / "briefing.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "指标 $x^2$ \\ {b}" in html  # the chart title, printed as written
    assert "成本$5亿 \\alpha" in html  # the category label in the chart's alt text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//|url\(\s*[\"']?(https?:)?//", html)
    assert not [w for w in result.warnings if "mathtext" in w.lower()]
    if shutil.which("pdftotext"):
        import subprocess

        pdf_text = subprocess.run(
            ["pdftotext", str(tmp_path / "out" / "briefing.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        flat = re.sub(r"\s+", "", pdf_text)
        assert '<script>alert(1)</script>简报#image("http://example.com/x.png")' in flat
        # Typst markup stays text; the asterisks are the narrative's own Markdown emphasis
        assert '#read("/etc/passwd")[x]' in flat


def test_emoji_and_rare_cjk_are_shown_or_warned_never_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))  # draw the chart afresh
    text = minimal_text().replace(
        "          高新技术企业达{{ ind.firms }}。\n",
        "          高新技术企业达{{ ind.firms }}。😀𠀀\n",
    )
    text = text.replace("    title: 主要指标\n", "    title: 主要指标\n    labels: ['产值😀𠀀']\n")
    result = api.build(write(tmp_path, text), tmp_path / "out", formats="docx,pdf,html")
    html = (tmp_path / "out" / "briefing.html").read_text(encoding="utf-8")
    assert "😀𠀀" in html
    import zipfile

    with zipfile.ZipFile(tmp_path / "out" / "briefing.docx") as z:
        assert "😀𠀀" in z.read("word/document.xml").decode("utf-8")
    from khzreport.charts.fonts import find_font, missing_glyphs

    theme = api.theme_of(api.load(tmp_path / "report.yaml"))
    lacking = missing_glyphs("😀𠀀", find_font(theme.fonts.pdf_body))
    chart_lacking = missing_glyphs("😀𠀀", find_font(theme.fonts.chart))
    warnings = result.warnings + [r.getMessage() for r in caplog.records]
    assert lacking, "the test needs characters the fonts lack"
    for char in lacking:  # the PDF names the characters and where they are
        assert any(char in w and "paragraph" in w for w in warnings), warnings
    for char in chart_lacking:  # and so does the chart
        assert any(char in w and "chart 'scale'" in w for w in warnings), warnings


def test_an_empty_section_is_a_heading_only(tmp_path: Path) -> None:
    text = minimal_text().replace(
        "parks:\n", "  - id: empty\n    title: 空章节\n    blocks: []\nparks:\n"
    )
    document = api.resolve(api.load(write(tmp_path, text)))
    titles = [getattr(b, "text", "") for b in document.blocks]
    assert any("空章节" in t for t in titles)


def test_no_network_is_attempted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole build with socket creation refused (Typst runs in Rust; its templates are ours
    and import no packages, and data reaches it as JSON, never as markup)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    (tmp_path / "p.jpg").write_bytes(photo("JPEG"))
    text = with_figure("p.jpg").replace(
        "          高新技术企业达{{ ind.firms }}。\n",
        '          高新技术企业达{{ ind.firms }}。#image("http://example.com/x.png") '
        "<img src='http://example.com/y.png'>\n",
    )
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))
    result = api.build(write(tmp_path, text), tmp_path / "out")
    assert len(result.outputs) == 3


@pytest.mark.parametrize(
    ("route", "expect"),
    [
        ("image", "URLs are not allowed"),
        ("theme", "leads outside the source folder"),
        ("font", "absolute paths are not allowed"),
        ("include", "'include' is not allowed in narrative"),
        ("import", "'from-import' is not allowed in narrative"),
    ],
)
def test_every_route_out_of_the_source_folder_is_refused(
    tmp_path: Path, outdir: Path, route: str, expect: str
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    text = {
        "image": with_figure("http://example.com/photo.jpg"),
        "theme": minimal_text().replace("charts:\n", "theme: ../x.yaml\ncharts:\n"),
        "include": minimal_text().replace("{{ ind.firms }}", "{% include '/etc/passwd' %}"),
        "import": minimal_text().replace("{{ ind.firms }}", "{% from '/etc/passwd' import x %}"),
    }.get(route)
    if route == "font":
        source = theme_source(src, "fonts:\n  files: [/etc/passwd]\n")
        code, err = cli("build", str(source), "-o", str(outdir))
        assert code == 2 and expect in err and "mytheme.yaml:2:" in err, err
        return
    assert text is not None
    assert_refused(write(src, text), outdir, expect)
