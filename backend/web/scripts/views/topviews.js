// The top view (Topviews): a wiki's most viewed articles of a day, a month or a range,
// without the titles left out by hand or by pattern.
import { getJson, PAGEVIEWS, segment, WIKIVIEWS } from "../api.js";
import { msg } from "../i18n.js";
import { buildTable } from "../table.js";
import { toStamp } from "../state.js";

export const TOP_COLUMNS = ["project", "access", "start", "end", "rank", "article", "views"];

/** The compiled pattern of `state`, or an Error in words when it does not compile. */
function excluder(state) {
  const hand = new Set(state.excludes);
  let pattern = null;
  if (state.pattern) {
    try {
      pattern = new RegExp(state.pattern, "u");
    } catch (error) {
      throw new Error(msg("error-bad-pattern", error.message));
    }
  }
  return (title) => hand.has(title) || (pattern !== null && pattern.test(title));
}

async function fetchTop(state, range, signal) {
  const [year, month, day] = range.start.split("-");
  const base = `${segment(state.project)}/${state.platform}`;
  if (state.mode === "day") {
    const answer = await getJson(`${PAGEVIEWS}/top/${base}/${year}/${month}/${day}`, {}, { missingIsEmpty: true, signal });
    return answer ? answer.items[0].articles : [];
  }
  if (state.mode === "month") {
    const answer = await getJson(`${PAGEVIEWS}/top/${base}/${year}/${month}/all-days`, {}, { missingIsEmpty: true, signal });
    return answer ? answer.items[0].articles : [];
  }
  const answer = await getJson(
    `${WIKIVIEWS}/top/${base}/${toStamp(range.start)}/${toStamp(range.end)}`,
    { limit: 1000 }, { missingIsEmpty: true, signal },
  );
  return answer ? answer.items[0].articles : [];
}

/** Ranks of `entries` (sorted by views, descending) with ties sharing a rank, as AQS ranks. */
export function rerank(entries) {
  let rank = 0;
  return entries.map((entry, i) => {
    if (i === 0 || entry.views !== entries[i - 1].views) rank = i + 1;
    return { ...entry, rank };
  });
}

/** Load and shape the top view of `state` over `range`. */
export async function load(state, range, context) {
  const excluded = excluder(state);
  const found = await fetchTop(state, range, context.signal);
  if (!found.length) throw new Error(msg("error-no-top", state.project));
  const shown = rerank(found.filter((entry) => !excluded(entry.article))).slice(0, +state.limit);
  const top = shown.length ? shown[0].views : 0;
  const rows = shown.map((entry) => [state.project, state.platform, range.start, range.end, entry.rank, entry.article, entry.views]);
  const list = buildTable(
    [
      { label: msg("col-rank"), kind: "number" },
      { label: msg("col-title"), kind: "title" },
      { label: msg("col-views"), kind: "number" },
      { label: "", kind: "bar" },
    ],
    shown.map((entry) => [entry.rank, entry.article, entry.views, top ? (entry.views * 100) / top : 0]),
    { className: "wv-top" },
  );
  return {
    bars: list,
    columns: TOP_COLUMNS,
    rows,
    filename: `topviews-${state.project}-${range.start}-${range.end}`,
    notes: [],
  };
}
