"""``khzreport preview``: a live view of the briefing, rebuilt in one warm process on every save.

The source folder is watched (``watchfiles``); a burst of saves becomes one rebuild. A
rebuild goes through the public API as a build does — :func:`~khzreport.api.load`,
:func:`~khzreport.api.resolve`, :func:`~khzreport.api.render` — so the source meets the
same checks and limits; what the process keeps warm is what those calls already keep:
imported libraries, fonts, the Typst compiler and the content-addressed chart cache (an
edit that leaves a chart's data alone draws no chart). The HTML edition is published as
soon as it is rendered; the PDF follows from a second thread, and the DOCX is written only
when it is downloaded.

The browser page holds the HTML in a frame and listens to server-sent events: each event
carries the whole state (which HTML and PDF are current, the errors), and the page swaps in
the new HTML at the scroll position it had. A failed rebuild keeps the last good document
and reports its located errors, in the page as an overlay and in the terminal.

The server binds 127.0.0.1 only, answers only requests addressed to that host, and serves
nothing but the outputs it holds in memory and its own page; no file is read on request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles

from . import api, charts
from .diagnostics import Diagnostic, Diagnostics
from .document import Document
from .errors import KhzReportError, Location, display_path
from .resources import template_path

DEBOUNCE_MS = 400
"""Longest a burst of file events is gathered into one rebuild."""
QUIET_MS = 20
"""Quiet time after the last file event before the rebuild starts."""
WATCH_START_MS = 100
"""How soon the watcher reports that it is watching (an empty report) when nothing changed."""
KEEPALIVE_S = 15.0
"""Seconds between comments on an idle event stream, so proxies and browsers keep it open."""
OUTPUT_FOLDER = "build"
"""The build's default output folder next to the source: files written there are outputs."""

_ASSETS = {"preview.js": "text/javascript", "preview.css": "text/css"}


@dataclass(frozen=True)
class Problem:
    """A located problem as the page and the terminal show it."""

    text: str
    """``file:line:col: field.path: message (hint)``, as the command line prints it."""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    message: str = ""
    stage: str = "html"
    """Which edition failed: ``html`` (the source itself) or ``pdf``."""

    @classmethod
    def of(cls, error: KhzReportError, stage: str) -> Problem:
        where = error.location or Location()
        message = error.message + (f" ({error.hint})" if error.hint else "")
        if where.path:
            message = f"{where.path}: {message}"
        return cls(error.one_line(), where.file, where.line, where.column, message, stage)


@dataclass
class State:
    """What the page needs to show: which outputs are current and what went wrong."""

    building: bool = False
    html: int = 0
    """Generation of the HTML being served (0: none yet)."""
    pdf: int = 0
    """Generation of the PDF being served (0: none yet)."""
    generation: int = 0
    """Generation of the latest rebuild started."""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """The files whose change started the latest rebuild."""
    seconds: float | None = None
    """Time the latest HTML took, from the file event to its publication."""
    cpu: float | None = None
    """Processor time the latest HTML rebuild took (its wall time less any waiting for a core)."""

    def as_json(self) -> str:
        problems = [p.__dict__ for p in self.problems]
        return json.dumps({**self.__dict__, "problems": problems}, ensure_ascii=False)


class EventHub:
    """Server-sent events for every open page: each listener gets the state on each change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[queue.SimpleQueue[tuple[str, str] | None]] = []
        self._last: tuple[str, str] | None = None
        self._closed = False

    def publish(self, event: str, state: State) -> None:
        """Send ``state`` as ``event`` to every listener, and keep it for later ones."""
        message = (event, state.as_json())
        with self._lock:
            self._last = message
            listeners = list(self._listeners)
        for listener in listeners:
            listener.put(message)

    @contextlib.contextmanager
    def listen(self) -> Iterator[queue.SimpleQueue[tuple[str, str] | None]]:
        """Yield a queue of ``(event, json)`` starting with the current state; None ends it."""
        listener: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                listener.put(None)
            elif self._last is not None:
                listener.put(("state", self._last[1]))
            self._listeners.append(listener)
        try:
            yield listener
        finally:
            with self._lock:
                self._listeners.remove(listener)

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            listeners = list(self._listeners)
        for listener in listeners:
            listener.put(None)


class Preview:
    """One source kept built in memory: HTML at once, the PDF after it, the DOCX on request."""

    def __init__(
        self,
        source: Path,
        *,
        language: str | None = None,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.source = Path(source)
        self.folder = self.source.resolve().parent
        self.language = language
        self.echo = echo
        self.events = EventHub()
        self.state = State()
        self.html: bytes | None = None
        self.pdf: bytes | None = None
        self.stem = "briefing"
        self._lock = threading.Lock()
        self._document: tuple[int, Document] | None = None
        self._docx: tuple[int, bytes] | None = None
        self._docx_lock = threading.Lock()
        self._pdf_wanted = threading.Condition(self._lock)
        self._stopping = False
        self._shown_warnings: dict[str, list[str]] = {}
        self._digests: dict[str, bytes | None] = {}

    # -- the HTML edition ------------------------------------------------------------------

    def rebuild(self, changed: Sequence[str] = (), since: float | None = None) -> bool:
        """Rebuild the HTML edition now and publish it (or the errors); return success.

        ``since`` is when the change was noticed (``time.perf_counter()``), so the time the
        page reports runs from the save, not from the start of this call.
        """
        start = since if since is not None else time.perf_counter()
        cpu = time.thread_time()
        with self._lock:
            self.state.generation += 1
            generation = self.state.generation
            self.state.building = True
            self.state.changed = list(changed)
            self.events.publish("building", self.state)
        try:
            report = api.load(self.source)
            document = api.resolve(report, language=self.language)
            found = Diagnostics()
            html = api.render(document, "html", diagnostics=found)
        except KhzReportError as exc:
            self._failed(generation, exc, "html")
            return False
        except Exception as exc:  # a bug must not end the preview: shown like an error
            self._failed(generation, _internal(exc), "html")
            return False
        seconds = time.perf_counter() - start
        with self._lock:
            if generation < self.state.html:  # a later rebuild finished first
                return True
            self.html = html
            self.stem = "briefing" if document.meta.language != "en" else "briefing-en"
            self._document = (generation, document)
            self.state.html = generation
            self.state.building = False
            self.state.problems = [p for p in self.state.problems if p.stage == "pdf"]
            self.state.warnings = [d.one_line() for d in found]
            self.state.seconds = round(seconds, 3)
            self.state.cpu = round(time.thread_time() - cpu, 3)
            self.events.publish("html", self.state)
            self._pdf_wanted.notify_all()
        self._print_warnings(list(found), "html")
        what = ", ".join(changed) if changed else str(display_path(self.source))
        self.echo(f"html {seconds:.2f} s  ({what})")
        return True

    def _failed(self, generation: int, exc: KhzReportError, stage: str) -> None:
        errors = getattr(exc, "errors", None) or [exc]
        problems = [Problem.of(e, stage) for e in errors]
        with self._lock:
            if stage == "html":
                self.state.building = False
            self.state.problems = [p for p in self.state.problems if p.stage != stage]
            self.state.problems += problems
            self.events.publish("failed", self.state)
        for problem in problems:
            self.echo(f"error: {problem.text}" + (" (in the PDF)" if stage == "pdf" else ""))

    def _print_warnings(self, found: list[Diagnostic], stage: str) -> None:
        """Print an edition's warnings when they differ from the last ones printed for it,
        not again on every save."""
        lines = [f"{d.severity}: {d.one_line()}" for d in found]
        if lines != self._shown_warnings.get(stage, []):
            for line in lines:
                self.echo(line + (" (in the PDF)" if stage == "pdf" else ""))
            self._shown_warnings[stage] = lines

    # -- the PDF, after the HTML -------------------------------------------------------------

    def pdf_loop(self) -> None:
        """Render the PDF of each new document until :meth:`stop`, skipping superseded ones."""
        done = 0
        while True:
            with self._lock:
                while not self._stopping and (self._document is None or self._document[0] == done):
                    self._pdf_wanted.wait()
                if self._stopping or self._document is None:
                    return
                generation, document = self._document
            done = generation
            start = time.perf_counter()
            found = Diagnostics()
            try:
                pdf = api.render(document, "pdf", diagnostics=found)
            except KhzReportError as exc:
                self._failed(generation, exc, "pdf")
                continue
            except Exception as exc:  # a bug must not end the preview: shown like an error
                self._failed(generation, _internal(exc), "pdf")
                continue
            with self._lock:
                self.pdf = pdf
                self.state.pdf = generation
                self.state.problems = [p for p in self.state.problems if p.stage != "pdf"]
                known = set(self.state.warnings)
                self.state.warnings += [w for w in (d.one_line() for d in found) if w not in known]
                self.events.publish("pdf", self.state)
            self._print_warnings([d for d in found if d not in document.diagnostics], "pdf")
            self.echo(f"pdf  {time.perf_counter() - start:.2f} s")

    def docx(self) -> bytes:
        """Return the DOCX of the current document, written now unless already written."""
        with self._lock:
            current = self._document
        if current is None:
            raise LookupError("no document yet")
        with self._docx_lock:
            if self._docx is None or self._docx[0] != current[0]:
                self._docx = (current[0], api.render(current[1], "docx"))
            return self._docx[1]

    def stop(self) -> None:
        """Stop the PDF thread and end every event stream."""
        with self._lock:
            self._stopping = True
            self._pdf_wanted.notify_all()
        self.events.close()

    # -- watching --------------------------------------------------------------------------

    def watch(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        """Build once, then rebuild on every change in the source folder until ``stop``.

        The first build starts once the folder is watched (the watcher's first, empty,
        report), so a save made while it runs is not missed but rebuilt after it.
        """
        built = False
        for changes in watchfiles.watch(
            self.folder,
            watch_filter=SourceFilter(self.folder),
            debounce=DEBOUNCE_MS,
            step=QUIET_MS,
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=WATCH_START_MS,
            yield_on_timeout=True,
        ):
            noticed = time.perf_counter()
            if not built:
                self.rebuild()
                built = True
                if ready is not None:
                    ready.set()
                with contextlib.suppress(Exception):
                    charts.prepare_drawing()  # a head start only: a failure shows at a draw
                continue
            if not changes or not self._contents_changed({path for _, path in changes}):
                continue
            names = sorted({_shown(Path(path), self.folder) for _, path in changes})
            kept = [name for name in names if (self.folder / name).exists()]
            self.rebuild(kept or names, since=noticed)  # not an editor's passing temporary file

    def _contents_changed(self, paths: set[str]) -> bool:
        """Return whether a file changed its content, not only its time (a save of an
        unchanged buffer, a ``touch``): then there is nothing to rebuild."""
        changed = False
        for path in paths:
            try:
                digest = hashlib.sha256(Path(path).read_bytes()).digest()
            except OSError:  # gone or unreadable: the rebuild reports it if it matters
                digest = None
            changed |= digest is None or self._digests.get(path) != digest
            self._digests[path] = digest
        return changed


class SourceFilter(watchfiles.DefaultFilter):
    """The files a rebuild may read: all of the source folder but the build outputs.

    Every file a source names (data tables, theme, photos, font files) must lie inside its
    folder, so watching the folder misses none; version-control folders, editor backups and
    the default output folder ``build/`` are left out, so a build there starts no rebuild.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.outputs = str(folder / OUTPUT_FOLDER)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        inside_outputs = path == self.outputs or path.startswith(self.outputs + "/")
        return not inside_outputs and super().__call__(change, path)


def _shown(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def _internal(exc: Exception) -> KhzReportError:
    return KhzReportError(
        f"internal error: {type(exc).__name__}: {exc}",
        None,
        "a bug in khzreport; please report it with the source (the last good document stays)",
    )


# -- the server ------------------------------------------------------------------------------


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 serving one :class:`Preview`."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, preview: Preview, port: int = 0) -> None:
        self.preview = preview
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the terminal shows rebuilds and errors, not requests."""

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain")
            return
        route = self.path.split("?", 1)[0]
        preview = self.server.preview
        if route == "/":
            self._send(HTTPStatus.OK, _asset("index.html"), "text/html", csp=_PAGE_CSP)
        elif route.startswith("/_preview/") and route[len("/_preview/") :] in _ASSETS:
            name = route[len("/_preview/") :]
            self._send(HTTPStatus.OK, _asset(name), _ASSETS[name])
        elif route == "/events":
            self._events()
        elif route == "/briefing.html":
            self._output(preview.html, "text/html")
        elif route == "/briefing.pdf":
            self._output(preview.pdf, "application/pdf", f"{preview.stem}.pdf")
        elif route == "/briefing.docx":
            self._docx()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _host_allowed(self) -> bool:
        """Refuse requests for another host name: a web page elsewhere cannot rebind to us."""
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _output(self, data: bytes | None, kind: str, filename: str | None = None) -> None:
        if data is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"not built yet\n", "text/plain")
            return
        disposition = f'inline; filename="{filename}"' if filename else None
        self._send(HTTPStatus.OK, data, kind, disposition=disposition)

    def _docx(self) -> None:
        preview = self.server.preview
        try:
            data = preview.docx()
        except LookupError:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"not built yet\n", "text/plain")
            return
        except KhzReportError as exc:
            self._send(HTTPStatus.UNPROCESSABLE_ENTITY, f"{exc}\n".encode(), "text/plain")
            return
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        self._send(
            HTTPStatus.OK, data, kind, disposition=f'attachment; filename="{preview.stem}.docx"'
        )

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        kind: str,
        *,
        disposition: str | None = None,
        csp: str | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header(
            "Content-Type", kind + ("; charset=utf-8" if kind.startswith("text") else "")
        )
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if disposition:
            self.send_header("Content-Disposition", disposition)
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with self.server.preview.events.listen() as listener, contextlib.suppress(OSError):
            while True:
                try:
                    message = listener.get(timeout=KEEPALIVE_S)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if message is None:
                    return
                event, data = message
                self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                self.wfile.flush()


_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "frame-src 'self'; object-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'"
)


def _asset(name: str) -> bytes:
    return template_path("preview", name).read_bytes()


# -- running it ------------------------------------------------------------------------------


def run(
    source: Path,
    *,
    port: int = 0,
    language: str | None = None,
    echo: Callable[[str], None] = print,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the live preview of ``source`` until interrupted (KeyboardInterrupt).

    The server, the watcher and the PDF thread are stopped and joined before this returns
    or raises, so nothing is left running.
    """
    if not Path(source).is_file():
        api.load(source)  # raises the loader's located error, as a build of it would
    preview = Preview(source, language=language, echo=echo)
    try:
        server = PreviewServer(preview, port)
    except OSError as exc:
        raise KhzReportError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
            Location(path="port"),
            "choose another --port, or leave it out to take a free one",
        ) from None
    stop = threading.Event()
    ready = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, name="preview-server", daemon=True),
        threading.Thread(target=preview.watch, args=(stop, ready), name="preview-watch"),
        threading.Thread(target=preview.pdf_loop, name="preview-pdf"),
    ]
    try:
        for thread in threads:
            thread.start()
        echo(f"preview: {server.url}  (watching {display_path(preview.folder)}; Ctrl-C stops)")
        ready.wait()
        if on_ready is not None:
            on_ready(server.url)
        while not stop.wait(3600):
            pass
    finally:
        stop.set()
        preview.stop()
        server.shutdown()
        server.server_close()
        for thread in threads:
            thread.join(timeout=5)
