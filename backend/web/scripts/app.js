// The statistics page: read the state from the URL, fill the form, load the view's data from
// the API, draw it; every change of the form is a new history entry, so links and the back
// button restore exactly what was shown.
import { getJson, segment, setInlined } from "./api.js";
import { drawLineChart } from "./chart.js";
import { el, titleText } from "./dom.js";
import { msg, setMessages } from "./i18n.js";
import { fromStamp, normalizeTitle, projectName, readState, resolveRange, splitTitles, writeQuery } from "./state.js";
import { download, toCsv, toJson } from "./table.js";
import * as massviews from "./views/massviews.js";
import * as pageviews from "./views/pageviews.js";
import * as redirectviews from "./views/redirectviews.js";
import * as siteviews from "./views/siteviews.js";
import * as topviews from "./views/topviews.js";

const VIEWS = { pageviews, siteviews, topviews, redirectviews, massviews };
const config = JSON.parse(document.getElementById("wv-config").textContent);
setMessages(config.messages, config.lang);
const first = document.getElementById("wv-first");
if (first) setInlined(JSON.parse(first.textContent));
const view = VIEWS[config.view];
const form = document.getElementById("wv-form");
const $ = (id) => document.getElementById(id);
const spans = new Map(config.projects.map((p) => [p.name, { first: fromStamp(p.first), last: fromStamp(p.last) }]));

let state;
let problems = [];
/** The category URL the page was served for (its Content-Security-Policy allows that wiki). */
let loadedTarget = "";
let result = null;
let controller = null;

function publishedProjects() {
  return config.projects.filter((p) => p.last).map((p) => p.name);
}

function projectList() {
  return publishedProjects().join(", ");
}

/** The state the URL describes (problems with it kept to be shown in words). */
function stateFromUrl() {
  const read = readState(config.view, new URLSearchParams(window.location.search), { project: config.defaultProject });
  problems = read.problems.map(([key, ...args]) => msg(key, ...args));
  return read.state;
}

function field(name) {
  return form.elements.namedItem(name);
}

function setField(name, value) {
  const input = field(name);
  if (!input) return;
  if (input.type === "checkbox") input.checked = Boolean(value);
  else input.value = value ?? "";
}

function chipsOf() {
  return config.view === "siteviews" ? state.sites : state.pages;
}

function drawChips() {
  const list = $("wv-chips");
  if (!list) return;
  list.replaceChildren(...chipsOf().map((item) => {
    const remove = el("button", { type: "button", class: "wv-chip-remove", "aria-label": msg("field-remove", item.replaceAll("_", " ")) }, "×");
    remove.addEventListener("click", () => {
      const kept = chipsOf().filter((other) => other !== item);
      if (config.view === "siteviews") state.sites = kept;
      else state.pages = kept;
      commit();
    });
    return el("li", { class: "wv-chip" }, titleText(item), remove);
  }));
}

/** Show `state` in the form, with the dates the range resolves to. */
function fillForm() {
  for (const name of ["project", "platform", "agent", "granularity", "scale", "range", "mode", "limit", "pattern", "page"]) {
    setField(name, state[name]);
  }
  setField("redirects", state.redirects);
  setField("hideflagged", state.hideFlagged);
  if (state.excludes) setField("excludes", state.excludes.join("\n"));
  if (config.view === "massviews") {
    setField("pages", state.pages.join("\n"));
    setField("target", state.target);
  }
  const range = resolveRange(state, spanOf(state));
  setField("start", range ? range.start : state.start);
  setField("end", range ? range.end : state.end);
  drawChips();
}

/** Read the form into `state`. */
function readForm() {
  const value = (name) => (field(name) ? field(name).value : undefined);
  if (field("project")) state.project = projectName(value("project"));
  for (const name of ["platform", "agent", "granularity", "scale", "mode", "limit"]) {
    if (field(name)) state[name] = value(name);
  }
  if (field("redirects")) state.redirects = field("redirects").checked;
  if (field("hideflagged")) state.hideFlagged = field("hideflagged").checked;
  if (field("pattern")) state.pattern = value("pattern");
  if (field("excludes")) state.excludes = splitTitles(value("excludes"));
  if (field("page")) state.page = normalizeTitle(value("page"));
  if (config.view === "massviews") {
    state.pages = splitTitles(value("pages"));
    state.target = value("target").trim();
    if (!state.target) state.site = "";
  }
  if (field("range")) state.range = value("range");
  if (state.range === "custom" || config.view === "topviews") {
    state.start = value("start");
    state.end = value("end");
  }
}

function spanOf(current) {
  const name = current.view === "siteviews" ? current.sites[0] : current.project;
  return spans.get(name) || { first: null, last: null };
}

function addChip() {
  const input = field("title");
  const item = config.view === "siteviews" ? projectName(input.value) : normalizeTitle(input.value);
  if (!item) return;
  const list = chipsOf();
  if (!list.includes(item)) list.push(item);
  input.value = "";
  commit();
}

/** A new history entry for the current state, then its data. */
function commit() {
  problems = [];
  const url = pageUrl();
  if (config.view === "massviews" && state.target !== loadedTarget) {
    // The policy allowing the category's wiki comes with the page: load it anew.
    window.location.assign(url);
    return;
  }
  if (url !== window.location.pathname + window.location.search) window.history.pushState(null, "", url);
  fillForm();
  load();
}

function pageUrl() {
  const query = writeQuery(state).replaceAll("%7C", "|");
  return window.location.pathname + (query ? `?${query}` : "");
}

function showError(texts) {
  const box = $("wv-error");
  box.replaceChildren(...texts.map((text) => el("p", {}, text)));
  box.hidden = texts.length === 0;
}

function showThrough() {
  const names = config.view === "siteviews" ? state.sites : [state.project];
  const lasts = names.map((name) => spans.get(name)?.last).filter(Boolean).sort();
  $("wv-status").textContent = lasts.length ? msg("data-through", lasts[0]) : msg("data-through-none");
}

/** The reason nothing can be loaded for the state's projects, or null. */
function projectProblem() {
  if (!publishedProjects().length) return msg("error-no-projects");
  const names = config.view === "siteviews" ? state.sites : [state.project];
  const unknown = names.find((name) => !spans.get(name)?.last);
  return unknown === undefined ? null : msg("error-unknown-project", unknown, projectList());
}

async function load() {
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  document.body.dataset.state = "loading";
  $("wv-permalink").href = new URL(pageUrl(), window.location.origin).href;
  showThrough();
  const blocking = [...problems];
  const projectError = projectProblem();
  if (projectError) blocking.push(projectError);
  if (blocking.length) return finish(null, blocking, "error");
  const range = resolveRange(state, spanOf(state));
  try {
    const loaded = await view.load(state, range, { signal, limits: config.limits });
    if (signal.aborted) return;
    if (loaded.hint) return finish(null, [loaded.hint], "empty");
    finish(loaded, loaded.notes, "ready");
  } catch (error) {
    if (error.name === "AbortError" || signal.aborted) return;
    finish(null, [error.message], "error");
  }
}

function finish(loaded, texts, outcome) {
  result = loaded;
  showError(texts);
  $("wv-results").hidden = !loaded;
  if (loaded) {
    const figure = $("wv-chart");
    if (loaded.chart) drawLineChart(figure, loaded.chart);
    else figure.replaceChildren(loaded.bars);
    $("wv-summary").replaceChildren(loaded.chart ? loaded.summary || "" : "");
    $("wv-datatable").replaceChildren(dataTable(loaded));
  }
  document.body.dataset.state = outcome;
  // For bench/page.py: the time from navigation to the first drawn chart.
  performance.mark(`wikiviews:${outcome}`);
}

/** The data table: exactly the rows the downloads hold, under the same column names. */
function dataTable(loaded) {
  const table = el("table", { class: "wv-table wv-data" });
  table.append(el("thead", {}, el("tr", {}, loaded.columns.map((c) => el("th", { scope: "col" }, c)))));
  table.append(el("tbody", {}, loaded.rows.map((row) => el("tr", {}, row.map((v) => el("td", {}, String(v)))))));
  return table;
}

let suggestionTimer = 0;
function suggest(input) {
  clearTimeout(suggestionTimer);
  const prefix = normalizeTitle(input.value);
  if (!prefix || !state.project) return;
  suggestionTimer = setTimeout(async () => {
    try {
      const answer = await getJson(`/web/titles/${segment(state.project)}`, { q: prefix });
      $("wv-suggestions").replaceChildren(...answer.titles.map((t) => el("option", { value: t.replaceAll("_", " ") })));
    } catch {
      // Suggestions are a convenience: the box works without them.
    }
  }, 150);
}

function wire() {
  $("wv-projects").replaceChildren(...publishedProjects().map((name) => el("option", { value: name })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (field("title") && field("title").value.trim()) {
      readForm();
      addChip();
      return;
    }
    readForm();
    commit();
  });
  form.addEventListener("change", (event) => {
    const name = event.target.name;
    if (["title", "excludes", "pattern", "pages", "page", "project", "target"].includes(name)) return;
    if ((name === "start" || name === "end") && field("range")) field("range").value = "custom";
    readForm();
    commit();
  });
  for (const name of ["project", "page", "pattern", "excludes", "pages"]) {
    const input = field(name);
    if (input && input.tagName !== "TEXTAREA") {
      input.addEventListener("change", () => {
        readForm();
        commit();
      });
    }
  }
  const title = field("title");
  if (title) {
    if (config.view !== "siteviews") title.addEventListener("input", () => suggest(title));
    title.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        addChip();
      }
    });
    $("wv-add").addEventListener("click", addChip);
  }
  if (field("page")) field("page").addEventListener("input", () => suggest(field("page")));
  $("wv-csv").addEventListener("click", () => result && download(`${result.filename}.csv`, "text/csv", toCsv(result.columns, result.rows)));
  $("wv-json").addEventListener("click", () => result && download(`${result.filename}.json`, "application/json", toJson(result.columns, result.rows)));
  window.addEventListener("popstate", () => {
    state = stateFromUrl();
    fillForm();
    load();
  });
}

state = stateFromUrl();
loadedTarget = state.target || "";
wire();
fillForm();
load();
