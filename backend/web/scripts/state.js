// The page's state and its URL: Pageviews Analysis' query parameters in, the same out.
// Pure functions only (no DOM), so every rule here is exercised the same way in every view.

export const PLATFORMS = ["all-access", "desktop", "mobile-web", "mobile-app"];
export const AGENTS = ["user", "spider", "automated", "all-agents"];
export const PRESETS = ["latest-30", "latest-90", "this-year", "last-year", "all-time"];
/** What the top view leaves out unless the URL says otherwise (`excludes=` shows everything). */
export const TOP_EXCLUDES = ["Main_Page"];
export const TOP_PATTERN = "^Special:";
const DAY_MS = 86400000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;

/** `YYYY-MM-DD` of a UTC date. */
export function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** The UTC date of `YYYY-MM-DD`, or null when it is not a real date. */
export function parseDay(text) {
  const match = ISO_DAY.exec(text || "");
  if (!match) return null;
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  return isoDay(date) === text ? date : null;
}

/** `YYYY-MM-DD` of `YYYYMMDD` (the API's `through`, `first` and `last` fields). */
export function fromStamp(stamp) {
  return stamp ? `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}` : null;
}

/** `YYYYMMDD00` of `YYYY-MM-DD` (the API's timestamps). */
export function toStamp(day) {
  return day.replaceAll("-", "") + "00";
}

/** `day` moved by `n` days. */
export function addDays(day, n) {
  return isoDay(new Date(parseDay(day).getTime() + n * DAY_MS));
}

/** Days from `first` to `last`, both included. */
export function daysBetween(first, last) {
  return Math.round((parseDay(last) - parseDay(first)) / DAY_MS) + 1;
}

/** Every `YYYY-MM-DD` from `first` to `last`. */
export function everyDay(first, last) {
  const days = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The project name the API uses (`en.wikipedia.org` and `www.wikidata.org` are accepted). */
export function projectName(raw) {
  return (raw || "").trim().toLowerCase().replace(/^www\./, "").replace(/\.org$/, "");
}

/** A title as stored: spaces as underscores, no surrounding blanks. */
export function normalizeTitle(raw) {
  return (raw || "").trim().replace(/ /g, "_");
}

/** Titles of a `|`-separated list (Pageviews Analysis' `pages=`), normalised, without repeats. */
export function splitTitles(raw) {
  const titles = (raw || "").split(/[|\n]/).map(normalizeTitle).filter(Boolean);
  return [...new Set(titles)];
}

/**
 * `{start, end}` of a range preset ending at `through` (the last published day), or null.
 * `first` is the project's first published day (for `all-time`).
 */
export function presetRange(preset, through, first) {
  if (!through) return null;
  const year = through.slice(0, 4);
  const latest = /^latest(?:-(\d+))?$/.exec(preset);
  if (latest) {
    const days = Math.max(1, Math.min(+(latest[1] || 20), 100000));
    return { start: addDays(through, 1 - days), end: through };
  }
  switch (preset) {
    case "this-year":
      return { start: `${year}-01-01`, end: through };
    case "last-year":
      return { start: `${+year - 1}-01-01`, end: `${+year - 1}-12-31` };
    case "this-month":
      return { start: `${through.slice(0, 7)}-01`, end: through };
    case "last-month": {
      const end = addDays(`${through.slice(0, 7)}-01`, -1);
      return { start: `${end.slice(0, 7)}-01`, end };
    }
    case "all-time":
      return { start: first || `${year}-01-01`, end: through };
    default:
      return null;
  }
}

/** The last day of the month of `YYYY-MM`. */
function monthEnd(month) {
  const [y, m] = month.split("-").map(Number);
  return isoDay(new Date(Date.UTC(y, m, 0)));
}

function oneOf(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

/**
 * The state of `view` from a URL's query (`URLSearchParams`), with the defaults of `project`
 * (`{name, first, last}` in `YYYY-MM-DD`). Returns `{state, problems}`: `problems` lists what
 * could not be read, in message keys with their arguments, to show in words.
 */
export function readState(view, params, defaults) {
  const problems = [];
  const get = (name) => params.get(name) || "";
  const state = {
    view,
    project: projectName(get("project")) || defaults.project || "",
    platform: oneOf(get("platform"), PLATFORMS, "all-access"),
    agent: oneOf(get("agent") === "bot" ? "automated" : get("agent"), AGENTS, "user"),
    redirects: ["1", "true"].includes(get("redirects")),
    granularity: get("granularity") === "monthly" ? "monthly" : "daily",
    scale: get("scale") === "log" || get("autolog") === "true" ? "log" : "linear",
    range: "",
    start: "",
    end: "",
  };
  let start = get("start");
  let end = get("end");
  // Pageviews Analysis' monthly links give YYYY-MM.
  if (ISO_MONTH.test(start) || ISO_MONTH.test(end)) state.granularity = "monthly";
  if (ISO_MONTH.test(start)) start = `${start}-01`;
  if (ISO_MONTH.test(end)) end = monthEnd(end);
  if (start || end) {
    for (const [name, value] of [["start", start], ["end", end]]) {
      if (value && !parseDay(value)) problems.push(["error-bad-date", value]);
      else state[name] = value;
    }
    state.range = "custom";
    if (state.start && state.end && state.start > state.end) {
      problems.push(["error-range-order"]);
    }
  } else {
    state.range = get("range") || "latest-30";
  }
  if (view === "pageviews") state.pages = splitTitles(get("pages"));
  if (view === "siteviews") {
    state.sites = [...new Set((get("sites") || get("project")).split("|").map(projectName))]
      .filter(Boolean);
    if (!state.sites.length && defaults.project) state.sites = [defaults.project];
  }
  if (view === "redirectviews") state.page = normalizeTitle(get("page") || get("pages"));
  if (view === "massviews") {
    state.pages = splitTitles(get("pages") || (get("source") === "category" ? "" : get("target")));
    state.target = get("source") === "category" ? get("target") : "";
    state.site = state.target ? get("site") : "";
  }
  if (view === "topviews") {
    state.limit = oneOf(get("limit"), ["25", "50", "100", "500", "1000"], "100");
    state.excludes = params.has("excludes") ? splitTitles(get("excludes")) : [...TOP_EXCLUDES];
    state.pattern = params.has("pattern") ? get("pattern") : TOP_PATTERN;
    state.hideFlagged = ["1", "true"].includes(get("hideflagged"));
    const date = get("date");
    state.mode = get("start") || get("end") ? "range" : "day";
    if (ISO_MONTH.test(date)) {
      state.mode = "month";
      state.start = `${date}-01`;
      state.end = monthEnd(date);
    } else if (parseDay(date)) {
      state.start = state.end = date;
    } else if (date === "last-month") {
      state.mode = "month";
    } else if (date) {
      if (date !== "yesterday") problems.push(["error-bad-date", date]);
    }
  }
  return { state, problems };
}

/** The dates a state covers: its own, or its preset's ending at the project's last day. */
export function resolveRange(state, span) {
  if (state.view === "topviews") return resolveTopRange(state, span);
  if (state.range !== "custom") {
    return presetRange(state.range, span.last, span.first)
      || presetRange("latest-30", span.last, span.first);
  }
  if (!span.last) return null;
  const end = state.end || span.last;
  const start = state.start || addDays(end, -29);
  return { start, end };
}

function resolveTopRange(state, span) {
  if (!span.last) return null;
  if (state.mode === "month") {
    if (state.start) return { start: state.start, end: monthEnd(state.start.slice(0, 7)) };
    const last = presetRange(span.last === monthEnd(span.last.slice(0, 7))
      ? "this-month" : "last-month", span.last, span.first);
    return last;
  }
  if (state.mode === "range") {
    const end = state.end || span.last;
    return { start: state.start || addDays(end, -6), end };
  }
  const day = state.start || span.last;
  return { start: day, end: day };
}

/** The query string of a state: Pageviews Analysis' parameters, defaults left out. */
export function writeQuery(state) {
  const out = new URLSearchParams();
  const set = (name, value, fallback) => {
    if (value && value !== fallback) out.set(name, value);
  };
  if (state.view === "siteviews") set("sites", state.sites.join("|"));
  else set("project", state.project);
  if (state.view === "topviews") {
    set("platform", state.platform, "all-access");
    if (state.mode === "month" && state.start) set("date", state.start.slice(0, 7));
    else if (state.mode === "day" && state.start) set("date", state.start);
    else if (state.mode === "range") {
      set("start", state.start);
      set("end", state.end);
    } else if (state.mode === "month") set("date", "last-month");
    set("limit", state.limit, "100");
    const excludes = state.excludes.join("|");
    if (excludes !== TOP_EXCLUDES.join("|")) out.set("excludes", excludes);
    if (state.pattern !== TOP_PATTERN) out.set("pattern", state.pattern);
    if (state.hideFlagged) out.set("hideflagged", "1");
    return out.toString();
  }
  set("platform", state.platform, "all-access");
  set("agent", state.agent, "user");
  if (state.range === "custom") {
    set("start", state.start);
    set("end", state.end);
  } else set("range", state.range, "latest-30");
  if (state.view === "pageviews" || state.view === "siteviews") {
    set("granularity", state.granularity, "daily");
    set("scale", state.scale, "linear");
  }
  if (state.view === "pageviews") {
    if (state.redirects) out.set("redirects", "1");
    set("pages", state.pages.join("|"));
  }
  if (state.view === "redirectviews") set("page", state.page);
  if (state.view === "massviews") {
    if (state.target) {
      out.set("source", "category");
      out.set("target", state.target);
      set("site", state.site);
    } else set("pages", state.pages.join("|"));
  }
  return out.toString();
}

/**
 * The wiki API and category title of a category page URL (`…/wiki/Category:X` or
 * `…?title=Category:X`); `site` names the API (`…/api.php`) when it is not at `/w/api.php`.
 * Null when `target` is not an http(s) URL naming a page.
 */
export function categorySource(target, site) {
  let url;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  if (!["http:", "https:"].includes(url.protocol)) return null;
  const fromPath = /\/wiki\/(.+)$/.exec(url.pathname);
  const raw = url.searchParams.get("title") || (fromPath ? decodeURIComponent(fromPath[1]) : "");
  const title = normalizeTitle(raw);
  if (!title) return null;
  return { api: site || `${url.origin}/w/api.php`, title };
}

/** Daily values summed per month: `[{month: "YYYY-MM", first, last, views}]`. */
export function monthlyTotals(days, values) {
  const months = [];
  days.forEach((day, i) => {
    const month = day.slice(0, 7);
    const current = months[months.length - 1];
    if (current && current.month === month) {
      current.last = day;
      current.views += values[i];
    } else months.push({ month, first: day, last: day, views: values[i] });
  });
  return months;
}

/** Whether a month of `monthlyTotals` misses days at either end. */
export function isPartialMonth(entry) {
  return !entry.first.endsWith("-01") || entry.last !== monthEnd(entry.month);
}
