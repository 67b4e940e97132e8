// The live preview page: swaps in each new HTML edition at the same scroll position,
// reloads the PDF view when a new PDF is ready, and shows located errors over the last
// good document. Everything arrives as server-sent events carrying the whole state.
"use strict";

const htmlView = document.getElementById("html-view");
const pdfView = document.getElementById("pdf-view");
const overlay = document.getElementById("overlay");
const problemList = document.getElementById("problems");
const statusText = document.getElementById("status");
let shownHtml = 0;
let shownPdf = 0;
let latest = null;

function scrollOf(frame) {
  const win = frame && frame.contentWindow;
  return win ? { x: win.scrollX, y: win.scrollY } : { x: 0, y: 0 };
}

function showHtml(generation) {
  const old = htmlView.querySelector("iframe.current");
  const next = document.createElement("iframe");
  next.className = old ? "next" : "current";
  next.title = "HTML edition";
  next.setAttribute("sandbox", "allow-same-origin allow-popups allow-downloads");
  next.src = "/briefing.html?g=" + generation;
  next.addEventListener("load", () => {
    if (!old) return;
    const at = scrollOf(old);
    next.contentWindow.scrollTo(at.x, at.y);
    old.remove();
    next.className = "current";
  }, { once: true });
  htmlView.querySelectorAll("iframe.next").forEach((frame) => frame.remove());
  htmlView.appendChild(next);
  document.body.dataset.html = String(generation);
}

function showPdf(generation) {
  if (pdfView.hidden) return;  // loaded when the PDF view is chosen
  pdfView.replaceChildren();
  const frame = document.createElement("iframe");
  frame.title = "PDF edition";
  frame.src = "/briefing.pdf?g=" + generation + "#view=FitH";
  pdfView.appendChild(frame);
  shownPdf = generation;
  document.body.dataset.pdf = String(generation);
}

function showProblems(problems) {
  problemList.replaceChildren();
  for (const p of problems) {
    const item = document.createElement("li");
    let where = p.file || "";
    if (p.line) where += ":" + p.line + (p.column ? ":" + p.column : "");
    if (where) {
      const span = document.createElement("span");
      span.className = "where";
      span.textContent = where + ": ";
      item.appendChild(span);
    }
    if (p.stage === "pdf") {
      const stage = document.createElement("span");
      stage.className = "stage";
      stage.textContent = "PDF: ";
      item.appendChild(stage);
    }
    item.appendChild(document.createTextNode(p.message || p.text));
    problemList.appendChild(item);
  }
  overlay.hidden = problems.length === 0;
}

function showStatus(state) {
  statusText.classList.toggle("failed", state.problems.length > 0);
  if (state.building) {
    statusText.textContent = "rebuilding…";
  } else if (state.problems.length > 0) {
    statusText.textContent = state.problems.length + " error(s)";
  } else {
    const time = state.seconds != null ? " in " + state.seconds.toFixed(2) + " s" : "";
    const pdf = state.pdf === state.html ? "" : " · PDF following";
    const warnings = state.warnings.length ? " · " + state.warnings.length + " warning(s)" : "";
    statusText.textContent = "updated" + time + pdf + warnings;
    statusText.title = state.warnings.join("\n");
  }
}

function apply(state) {
  latest = state;
  if (state.html && state.html !== shownHtml) {
    shownHtml = state.html;
    showHtml(state.html);
  }
  if (state.pdf && state.pdf !== shownPdf) showPdf(state.pdf);
  showProblems(state.problems);
  showStatus(state);
}

function choose(view) {
  const pdf = view === "pdf";
  htmlView.hidden = pdf;
  pdfView.hidden = !pdf;
  document.getElementById("show-html").setAttribute("aria-selected", String(!pdf));
  document.getElementById("show-pdf").setAttribute("aria-selected", String(pdf));
  if (pdf && latest && latest.pdf && latest.pdf !== shownPdf) showPdf(latest.pdf);
}

document.getElementById("show-html").addEventListener("click", () => choose("html"));
document.getElementById("show-pdf").addEventListener("click", () => choose("pdf"));

const events = new EventSource("/events");
for (const name of ["state", "building", "html", "pdf", "failed"]) {
  events.addEventListener(name, (e) => apply(JSON.parse(e.data)));
}
events.addEventListener("error", () => {
  statusText.textContent = "disconnected: is khzreport preview still running?";
  statusText.classList.add("failed");
});
