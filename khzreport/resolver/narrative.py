"""Bound narrative: paragraph text is a Jinja2 template rendered in a locked-down sandbox.

A source is untrusted input, so templates run in Jinja's immutable sandbox with
``StrictUndefined``, no loader, no globals and only khzreport's formatting filters. Of the
statements only ``{% if %}`` is allowed: ``for``, ``set``, ``with``, ``include``, ``import``,
``extends``, macros and the rest are refused when the text is parsed (narrative prints values;
it needs no loops, variables or other files). No function or method may be called. With no
loops and no variables, the work a template does grows only with its length; each step is
capped too (:mod:`khzreport.limits`): ``'x' * n`` builds at most MAX_SEQUENCE characters,
``+`` at most MAX_TEMPLATE_OUTPUT, ``**`` takes exponents up to MAX_EXPONENT, whole numbers
have at most MAX_TEMPLATE_INT_DIGITS digits, the syntax tree is at most MAX_TEMPLATE_DEPTH
deep, and rendering stops as soon as the output passes MAX_TEMPLATE_OUTPUT characters.
In scope are ``ind`` (indicators by id) and ``meta`` (the report's meta data).

``{{ ind.patents }}`` prints the fully formatted value (qualifier + number + unit). Every
value printed from an indicator is marked while rendering, so the output comes back as
:class:`~khzreport.document.Run` objects that know which indicator each number came from.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import hashlib
import math
import operator
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import StrictUndefined, Undefined, nodes
from jinja2.bccache import FileSystemBytecodeCache
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.rules_inline.state_inline import Delimiter, StateInline
from mdit_py_plugins.footnote import footnote_plugin

from ..document import Run
from ..limits import (
    MAX_EXPONENT,
    MAX_SEQUENCE,
    MAX_TEMPLATE_DEPTH,
    MAX_TEMPLATE_INT_DIGITS,
    MAX_TEMPLATE_OUTPUT,
)
from ..model import Report
from ..resources import cache_dir
from ..source.assets import UNPRINTABLE, describe_character
from .binding import BindingError, Bound, Locale

__all__ = ["MAX_SEQUENCE", "MAX_TEMPLATE_OUTPUT", "NarrativeError", "render"]


_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_STRONG, _DOTS, _END = "\ue003", "\ue004", "\ue005"
"""Bold on, 着重号 on, and the end of the latest, in narrative read by :func:`render_parts`."""
_NOTE = "\ue006"
"""Brackets the number of a footnote mark until the runs are made (``_NOTE 0 _NOTE``)."""
_NOTE_MARK = re.compile(f"{_NOTE}(\\d+){_NOTE}")
_MARKED = re.compile(f"{_OPEN}([^{_MID}]*){_MID}([^{_CLOSE}]*){_CLOSE}")
_TOKENS = re.compile(f"{_MARKED.pattern}|[{_STRONG}{_DOTS}{_END}]")
_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff"
_CJK_BREAK = re.compile(
    f"(?<=[{_CJK}{_CLOSE}{_STRONG}{_DOTS}{_END}])[ \\t]*\\n[ \\t]*(?=[{_CJK}{_STRONG}{_DOTS}{_END}])"
    f"|(?<=[{_CJK}])[ \\t]*\\n[ \\t]*(?=[{_OPEN}])"
)
_CONTROL = UNPRINTABLE


class NarrativeError(Exception):
    """A template failed; ``line`` is the 1-based line inside the template text."""

    def __init__(self, message: str, line: int | None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


class BoundText(str):
    """Text printed from an indicator; remembers which one."""

    indicator: str

    def __new__(cls, text: str, indicator: str) -> BoundText:
        obj = super().__new__(cls, text)
        obj.indicator = indicator
        return obj


class IndicatorView:
    """``ind.X`` inside a template: prints as the full value, feeds the filters."""

    __slots__ = ("_bound",)

    def __init__(self, bound: Bound):
        self._bound = bound

    def __str__(self) -> str:
        return BoundText(_call(self._bound.full), self._bound.id)

    def __html__(self) -> str:
        return str(self)


class Indicators:
    """The ``ind`` namespace: attribute access by indicator id, with suggestions on typos."""

    __slots__ = ("_ids", "_locale", "_report", "_used")

    def __init__(self, report: Report, locale: Locale, used: set[str]):
        self._report = report
        self._locale = locale
        self._ids = {i.id for i in report.indicators}
        self._used = used

    def __getattr__(self, name: str) -> IndicatorView:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._ids:
            close = difflib.get_close_matches(name, sorted(self._ids), n=1)
            raise NarrativeError(
                f"unknown indicator '{name}'",
                None,
                f"did you mean '{close[0]}'?" if close else None,
            )
        self._used.add(name)
        return IndicatorView(Bound(self._report.indicator(name), self._report, self._locale))

    def __getitem__(self, name: str) -> IndicatorView:
        if not isinstance(name, str) or name.startswith("_"):
            raise KeyError(name)
        return self.__getattr__(name)


class References:
    """The ``ref`` namespace: a figure, table or section named by id prints as a marked run.

    Numbers are not known while a template renders (a figure may come later in the
    document), so the run carries the id and the layout writes 图3 / 第四部分 into it once the
    whole document is numbered.
    """

    __slots__ = ("_ids",)

    def __init__(self, ids: Collection[str]):
        self._ids = ids

    def __getattr__(self, name: str) -> RefText:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._ids:
            close = difflib.get_close_matches(name, sorted(self._ids), n=1)
            raise NarrativeError(
                f"unknown reference '{name}'",
                None,
                f"did you mean '{close[0]}'?"
                if close
                else "ref.ID names a placed chart or figure, a table with an id, or a section"
                if self._ids
                else "a park sheet shows none of the briefing's figures, tables or sections",
            )
        return RefText(f"{_OPEN}{REF_MARK}{name}{_MID}{name}{_CLOSE}")

    def __getitem__(self, name: str) -> RefText:
        if not isinstance(name, str) or name.startswith("_"):
            raise KeyError(name)
        return self.__getattr__(name)


REF_MARK = "#"
"""Prefix of a run's ``target`` while it still holds the referenced id, not yet its anchor."""


def _call(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except BindingError as exc:
        raise NarrativeError(str(exc), None) from None


def _filter(method: str) -> Callable[..., BoundText]:
    def apply(view: Any, *args: Any) -> BoundText:
        if not isinstance(view, IndicatorView):
            raise NarrativeError(
                f"the filter '{method}' applies to an indicator (ind.ID), got {type(view).__name__}",
                None,
            )
        if len(args) > len(_FILTER_ARGS.get(method, ())):
            takes = _FILTER_ARGS.get(method)
            raise NarrativeError(
                f"the filter '{method}' takes "
                + (
                    f"at most {len(takes)} argument ({', '.join(takes)})"
                    if takes
                    else "no arguments"
                ),
                None,
                f"write {{{{ ind.ID | {method} }}}}",
            )
        bound = view._bound
        if bound.indicator.pending and method in _PENDING_FORMS:
            return BoundText(bound.full(), bound.id)
        return BoundText(_call(lambda: getattr(bound, method)(*args)), bound.id)

    apply.__name__ = method
    return apply


_PENDING_FORMS = frozenset(
    {"value", "plain", "full", "growth", "share", "doubling", "date", "ordinal"}
)
"""Filters that print the pending marker for a figure still to come, instead of failing."""

_FILTER_ARGS: dict[str, tuple[str, ...]] = {"growth": ("decimals",), "verb": ("verb",)}
"""Filters that take arguments: ``growth(2)`` prints the rate to 2 places, ``verb("占")`` 约占."""

FILTERS = {
    "value": "value",
    "plain": "plain",
    "full": "full",
    "rank": "rank",
    "top": "top",
    "growth": "growth",
    "share": "share",
    "doubling": "doubling",
    "date": "date",
    "period": "period",
    "as_of": "as_of",
    "label": "label",
    "previous": "previous",
    "target": "target",
    "verb": "verb",
    "fraction": "fraction",
    "words": "words",
    "ordinal": "ordinal",
}
"""Template filters and the :class:`~khzreport.binding.Bound` method each one calls."""


class RefText(str):
    """A cross-reference run, marked by :class:`References` (the only marked text not bound)."""


def _finalize(value: Any) -> Any:
    """Print a bound value marked, a scalar as itself, and refuse anything else.

    An object's repr would carry a memory address (two builds of one source would differ)
    and text a template builds could forge the markers of a bound value, so only text
    without markers or control characters, numbers and bound values are printed.
    """
    if isinstance(value, IndicatorView):
        value = str(value)
    if isinstance(value, BoundText):
        return f"{_OPEN}{value.indicator}{_MID}{value}{_CLOSE}"
    if isinstance(value, RefText):
        return value
    if isinstance(value, str):
        bad = _CONTROL.search(value)
        if bad:
            raise SecurityError(f"printing {describe_character(bad.group())}")
        return value
    if isinstance(value, int | float | Undefined):
        return value  # printing an Undefined raises its own "'x' is undefined"
    kind = "the ind namespace" if isinstance(value, Indicators) else f"a {type(value).__name__}"
    raise SecurityError(f"{kind} cannot be printed, only text, numbers and ind.ID values")


_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.For: "for",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.With: "with",
    nodes.FilterBlock: "filter",
    nodes.Block: "block",
    nodes.CallBlock: "call",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
    nodes.ExprStmt: "do",
    nodes.Continue: "continue",
    nodes.Break: "break",
    nodes.Scope: "autoescape",
}
"""Statements refused in narrative, with the tag that writes them (``{% for %}``)."""

_ALLOWED_STATEMENTS = (nodes.Output, nodes.If)


class NarrativeEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox narrative templates run in."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            loader=None,
            finalize=_finalize,
            auto_reload=False,
            cache_size=0,
        )
        self.filters = {name: _filter(method) for name, method in FILTERS.items()}
        self.globals = {}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            word = type(node).__name__.lower().replace("fromimport", "from-import")
            raise _Refused(
                f"'{word}' is not allowed in narrative",
                "templates cannot read other files",
                node.lineno,
            )
        for node in tree.find_all(nodes.Macro):
            raise _Refused("macros are not allowed in narrative", _SYNTAX_HINT, node.lineno)
        for node in tree.find_all(nodes.Stmt):
            if not isinstance(node, _ALLOWED_STATEMENTS):
                tag = _STATEMENTS.get(type(node), type(node).__name__.lower())
                raise _Refused(
                    f"'{{% {tag} %}}' is not allowed in narrative",
                    "narrative prints values: only {{ ... }} and {% if %} are allowed",
                    node.lineno,
                )
        for concat in tree.find_all(nodes.Concat):
            raise _Refused(
                "'~' is not allowed in narrative", "write {{ a }}{{ b }} instead", concat.lineno
            )
        _check_depth(tree)
        return tree

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Refuse every call: narrative needs none (``range`` and the like are undefined)."""
        if isinstance(__obj, Undefined):
            return __obj(*args, **kwargs)  # raises "'range' is undefined"
        raise SecurityError("calling functions or methods is not allowed in narrative")

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"an exponent larger than {MAX_EXPONENT}")
            if _whole(left) and _whole(right) and right > 0 and left not in (0, 1, -1):
                if right * math.log10(abs(left)) >= MAX_TEMPLATE_INT_DIGITS:
                    raise SecurityError(_TOO_MANY_DIGITS)
            return _checked(operator.pow(left, right))
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, list | tuple | dict):
                    raise SecurityError(f"repeating a {type(seq).__name__}")
                if isinstance(seq, str) and isinstance(times, int):
                    if len(seq) * times > MAX_SEQUENCE:
                        raise SecurityError(f"a repeated text longer than {MAX_SEQUENCE}")
            if _whole(left) and _whole(right) and left and right:
                if math.log10(abs(left)) + math.log10(abs(right)) >= MAX_TEMPLATE_INT_DIGITS + 1:
                    raise SecurityError(_TOO_MANY_DIGITS)
            return _checked(operator.mul(left, right))
        if operator_ == "%":
            if isinstance(left, str | bytes):
                raise SecurityError("formatting text with '%'")
            return operator.mod(left, right)
        result = operator.add(left, right)
        if isinstance(result, str | list | tuple) and len(result) > MAX_TEMPLATE_OUTPUT:
            raise SecurityError(f"a text longer than {MAX_TEMPLATE_OUTPUT}")
        return _checked(result)


_INT_BOUND = 10**MAX_TEMPLATE_INT_DIGITS
_TOO_MANY_DIGITS = f"a whole number of more than {MAX_TEMPLATE_INT_DIGITS} digits"


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(result: Any) -> Any:
    """Refuse a whole number of more than MAX_TEMPLATE_INT_DIGITS digits."""
    if _whole(result) and abs(result) >= _INT_BOUND:
        raise SecurityError(_TOO_MANY_DIGITS)
    return result


class _Refused(TemplateSyntaxError):
    """A construct narrative does not allow, refused when the text is parsed."""

    def __init__(self, message: str, hint: str, lineno: int | None) -> None:
        super().__init__(message, lineno or 1)
        self.hint = hint


def _check_depth(tree: nodes.Node) -> None:
    """Refuse a template whose syntax tree is deeper than MAX_TEMPLATE_DEPTH (walked iteratively)."""
    stack: list[tuple[nodes.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TEMPLATE_DEPTH:
            raise _Refused(
                f"the template nests more than {MAX_TEMPLATE_DEPTH} levels deep",
                "use fewer brackets and nested {% if %}",
                getattr(node, "lineno", None),
            )
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())


_ENV: NarrativeEnvironment | None = None


def environment() -> NarrativeEnvironment:
    """Return the process-wide narrative sandbox (filters and limits never change)."""
    global _ENV
    if _ENV is None:
        _ENV = NarrativeEnvironment()
    return _ENV


def clean_text(text: str) -> str:
    """Remove characters that cannot live in documents (controls, internal markers)."""
    return _CONTROL.sub("", text)


def compile_template(text: str) -> Any:
    """Compile narrative text, raising :class:`NarrativeError` with the line on failure."""
    try:
        return _compiled(clean_text(text))
    except TemplateSyntaxError as exc:
        message = exc.message or "invalid template"
        hint = exc.hint if isinstance(exc, _Refused) else _TEMPLATE_HINT
        raise NarrativeError(f"template syntax error: {message}", exc.lineno, hint) from None
    except ValueError:  # a number literal of more digits than Python converts
        raise NarrativeError(
            "template syntax error: a number with too many digits",
            None,
            f"a template computes with at most {MAX_TEMPLATE_INT_DIGITS} digits",
        ) from None
    except (RecursionError, MemoryError, SyntaxError):
        # Jinja's parser recurses per bracket: a deep ((((...)))) fails before it is checked.
        raise NarrativeError(
            f"template syntax error: the template nests more than {MAX_TEMPLATE_DEPTH} levels deep",
            None,
            "use fewer brackets and nested {% if %}",
        ) from None


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    """Return the compiled template of a text, compiled once per process.

    Validating resolves the briefing and every sheet in each language, and the same texts
    (a park's narrative, the captions) come back dozens of times; compiling is most of
    the cost of binding. A compiled template holds no state between renders, and a text
    that fails to compile is not kept (the error is raised again on the next call).
    """
    env = environment()
    return env.template_class.from_code(env, _code(env, text), env.make_globals(None), None)


MAX_KEPT_TEMPLATES = 2000
"""Compiled templates kept in the cache folder; the oldest are removed past this."""
_KEPT = "narrative-%s.cache"


def _code(env: NarrativeEnvironment, text: str) -> Any:
    """Return the code of a template, from the cache folder when this text was compiled before.

    Compiling costs ~1 ms a text (Jinja parses, checks and generates Python, which is
    compiled in turn): 0.08 s for the example's texts in every new process, though an edit
    changes one of them. The code is kept with Jinja's own bytecode cache, under a key of the
    text, khzreport's code (the sandbox's checks; the filters Jinja may call while compiling),
    the limits the checks apply and Jinja's version; Jinja checks the text and the Python version when it loads it. A
    text that fails to compile keeps nothing.
    """
    try:
        kept = FileSystemBytecodeCache(str(cache_dir()), _KEPT)
        limits = f"{MAX_TEMPLATE_DEPTH}:{MAX_TEMPLATE_INT_DIGITS}:{MAX_EXPONENT}:"
        bucket = kept.get_bucket(env, _code_fingerprint() + limits + text, None, text)
    except OSError:
        return env.compile(text)
    if bucket.code is None:
        bucket.code = env.compile(text)
        try:
            folder = Path(kept.directory)
            folder.mkdir(parents=True, exist_ok=True)
            kept.set_bucket(bucket)
            _prune_kept(folder)
        except OSError:
            pass  # a cache folder that cannot be written keeps nothing
    return bucket.code


@functools.cache
def _code_fingerprint() -> str:
    """Return a hash of khzreport's modules (size and time of each) and Jinja's version."""
    package = Path(__file__).parents[1]
    digest = hashlib.sha256(jinja2.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            info = path.stat()
            digest.update(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


@functools.cache
def _prune_kept(folder: Path) -> None:
    """Remove the oldest kept templates past MAX_KEPT_TEMPLATES, once a process per folder
    (listing a large cache folder for every template stored cost more than compiling)."""
    kept = list(folder.glob(_KEPT % "*"))
    if len(kept) <= MAX_KEPT_TEMPLATES:
        return
    kept.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in kept[MAX_KEPT_TEMPLATES:]:
        with contextlib.suppress(OSError):
            old.unlink()


def render(
    text: str,
    report: Report,
    locale: Locale,
    used: set[str] | None = None,
    refs: Collection[str] = (),
) -> list[tuple[Run, ...]]:
    """Render narrative text into paragraphs of runs (a blank line starts a new paragraph).

    ``refs`` are the ids ``{{ ref.ID }}`` may name; their runs carry ``REF_MARK`` + id as
    target until the layout fills in the numbers. Markup is not read: this is for one-line
    fields (titles, captions); :func:`render_parts` reads it in narrative.
    """
    output = _render_output(text, report, locale, used, refs)
    return [tuple(_runs(_tidy(p))) for p in re.split(r"\n[ \t]*\n", output.strip()) if p.strip()]


@dataclass(frozen=True)
class Part:
    """A paragraph of narrative, or one item of a list (``marker`` is its •, 1. or （1））."""

    runs: tuple[Run, ...]
    marker: str = ""


def render_parts(
    text: str,
    report: Report,
    locale: Locale,
    used: set[str] | None = None,
    refs: Collection[str] = (),
) -> list[Part]:
    """Render narrative with its markup: paragraphs and list items of runs, bold and 着重号.

    The markup is a Markdown subset read by markdown-it after the template has rendered, so
    a bound figure can be emphasised (``**{{ ind.x }}**``) and markup can never run code:
    ``**bold**``, ``*着重号*`` (emphasis dots: Chinese has no italics), ``- `` or ``+ `` bullets
    and ``1.`` / ``1)`` numbered items, and footnotes: ``^[脚注文字]`` where the mark goes,
    or ``[^1]`` there and ``[^1]: 脚注文字`` on a line of its own (Markdown footnotes, read by
    mdit-py-plugins). Nothing else is markup (no links, headings, HTML, code or escapes),
    so ``#``, ``>``, ``&`` and backslashes print as written.
    """
    return list(_parts(_render_output(text, report, locale, used, refs)))


def _render_output(
    text: str,
    report: Report,
    locale: Locale,
    used: set[str] | None,
    refs: Collection[str],
) -> str:
    template = compile_template(text)
    meta = report.meta
    context = {
        "ind": Indicators(report, locale, used if used is not None else set()),
        "ref": References(refs),
        "meta": {
            "year": meta.year,
            "title": locale.pick(meta.title, meta.title_en, "meta.title_en"),
            "issuer": locale.pick(meta.issuer, meta.issuer_en, "meta.issuer_en"),
        },
    }
    try:
        output = _render_bounded(template, context)
    except NarrativeError as exc:
        raise NarrativeError(exc.message, _template_line(), exc.hint) from None
    except SecurityError as exc:
        raise NarrativeError(
            f"not allowed in narrative: {exc}", _template_line(), _SECURITY_HINT
        ) from None
    except UndefinedError as exc:
        raise NarrativeError(
            f"undefined: {exc.message}", _template_line(), _UNDEFINED_HINT
        ) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise NarrativeError(f"template error: {exc}", _template_line(), _TEMPLATE_HINT) from None
    except (RecursionError, MemoryError):
        raise NarrativeError(
            "the template needs too much work to render", None, "simplify the expressions"
        ) from None
    return output


def _emphasis(state: StateInline, silent: bool) -> bool:
    """Read ``*`` runs as emphasis delimiters, CommonMark's rule made fit for Chinese.

    CommonMark will not close ``**一是……。**二是`` (punctuation before the delimiter, a
    letter after it), which is exactly how a Chinese lead sentence is bolded. Next to a CJK
    character a delimiter opens unless space follows it and closes unless space precedes it.
    """
    start = state.pos
    if silent or state.src[start] != "*":
        return False
    scanned = state.scanDelims(start, True)
    can_open, can_close = scanned.can_open, scanned.can_close
    before = state.src[start - 1] if start > 0 else " "
    end = start + scanned.length
    after = state.src[end] if end < state.posMax else " "
    if _CJK_CHAR.match(before) or _CJK_CHAR.match(after):
        can_open, can_close = not after.isspace(), not before.isspace()
    for _ in range(scanned.length):
        token = state.push("text", "", 0)
        token.content = "*"
        state.delimiters.append(
            Delimiter(
                marker=ord("*"),
                length=scanned.length,
                token=len(state.tokens) - 1,
                end=-1,
                open=can_open,
                close=can_close,
            )
        )
    state.pos = end
    return True


def _markdown() -> MarkdownIt:
    md = MarkdownIt("zero").enable(["list", "emphasis"]).use(footnote_plugin)
    md.inline.ruler.at("emphasis", _emphasis)
    return md


_MARKDOWN = _markdown()
_CJK_CHAR = re.compile(f"[{_CJK}]")
_FORMAT = {"strong_open": _STRONG, "em_open": _DOTS, "strong_close": _END, "em_close": _END}


@functools.lru_cache(maxsize=1024)
def _parts(output: str) -> tuple[Part, ...]:
    """Turn the rendered narrative into paragraphs and list items, footnotes in their marks.

    markdown-it puts the footnotes' text after the body (``footnote_block``); it is read
    first, so each mark carries its note's runs. The layout numbers the marks. Kept per
    rendered text (parts and runs are frozen): every park sheet renders the zone's lead and
    highlights again, to the same text.
    """
    tokens = _MARKDOWN.parse(output)
    bodies: dict[int, list[str]] = {}
    note: int | None = None
    for token in tokens:
        if token.type == "footnote_open":
            note = token.meta["id"]
        elif token.type == "footnote_close":
            note = None
        elif token.type == "inline" and note is not None:
            bodies.setdefault(note, []).append(_inline_text(token))
    notes = {k: tuple(_runs(_tidy(" ".join(v)))) for k, v in bodies.items()}
    parts: list[Part] = []
    lists: list[str] = []
    marker = ""
    in_notes = False
    for token in tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            in_notes = token.type == "footnote_block_open"
        elif in_notes:
            continue
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token.type)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            if lists[-1] == "bullet_list_open":
                marker = "•"
            else:
                marker = f"（{token.info}）" if token.markup == ")" else f"{token.info}."
        elif token.type == "inline":
            text = _tidy(_inline_text(token))
            if text.strip(_STRONG + _DOTS + _END + " "):
                parts.append(Part(tuple(_with_notes(_runs(text), notes)), marker))
            marker = ""
    return tuple(parts)


def _inline_text(token: Any) -> str:
    pieces = []
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            pieces.append("\n")
        elif child.type in _FORMAT:
            pieces.append(_FORMAT[child.type])
        elif child.type == "footnote_ref":
            pieces.append(f"{_NOTE}{child.meta['id']}{_NOTE}")
        elif child.type != "footnote_anchor":
            pieces.append(child.content)
    return "".join(pieces)


def _with_notes(runs: Iterable[Run], notes: dict[int, tuple[Run, ...]]) -> Iterator[Run]:
    """Split a run at each footnote mark; the mark becomes a run holding the note."""
    for run in runs:
        pieces = _NOTE_MARK.split(run.text)
        if len(pieces) == 1:
            yield run
            continue
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                if piece:
                    yield dataclasses.replace(run, text=piece)
            else:
                yield Run("", note=notes.get(int(piece), ()))


_TEMPLATE_HINT = "write {{ ind.ID }} or {{ ind.ID | filter }}; see the narrative filters"
_SYNTAX_HINT = "narrative prints indicators with {{ ind.ID }}; it cannot loop, assign or read files"
_SECURITY_HINT = "narrative prints indicators with {{ ind.ID }} and the filters; nothing else runs"
_UNDEFINED_HINT = "in scope are ind.ID, ref.ID, meta.year, meta.title and meta.issuer"


def _render_bounded(template: Any, context: dict[str, Any]) -> str:
    """Render piece by piece, stopping as soon as the output passes MAX_TEMPLATE_OUTPUT."""
    pieces: list[str] = []
    size = 0
    for piece in template.generate(context):
        size += len(piece)
        if size > MAX_TEMPLATE_OUTPUT:
            raise NarrativeError(
                f"the text renders to more than {MAX_TEMPLATE_OUTPUT} characters",
                None,
                "shorten it or split it into several paragraph blocks",
            )
        pieces.append(piece)
    return "".join(pieces)


def _template_line() -> int | None:
    tb = sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _tidy(text: str) -> str:
    text = _CJK_BREAK.sub("", text.strip())
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


def _runs(text: str) -> Iterator[Run]:
    """Split marked text into runs: bound figures, references, bold and 着重号 stretches."""
    styles: list[str] = []
    pos = 0
    for m in _TOKENS.finditer(text):
        if m.start() > pos:
            yield _styled(Run(text[pos : m.start()]), styles)
        pos = m.end()
        if m.group(0) in (_STRONG, _DOTS):
            styles.append(m.group(0))
        elif m.group(0) == _END:
            if styles:
                styles.pop()
        elif m.group(1).startswith(REF_MARK):
            yield _styled(Run(m.group(2), target=m.group(1)), styles)
        else:
            yield _styled(Run(m.group(2), m.group(1)), styles)
    if pos < len(text):
        yield _styled(Run(text[pos:]), styles)


def _styled(run: Run, styles: list[str]) -> Run:
    if not styles:
        return run
    return dataclasses.replace(run, strong=_STRONG in styles, dots=_DOTS in styles)


def literal_segments(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (line, column, text) for each literal stretch of a template (outside ``{{ }}``).

    Used by the linter to find numbers typed directly into prose.
    """
    for token_line, token_type, value in environment().lex(clean_text(text)):
        if token_type == "data":
            yield token_line, 0, value
