// The top view (Topviews): a wiki's most viewed articles of a day, a month or a range,
// without the titles left out by hand or by pattern, with the report bot's automated-traffic
// flags (bot/top_report.py) on the all-access list.
import { getJson, PAGEVIEWS, segment, WIKIVIEWS } from "../api.js";
import { formatShare, msg } from "../i18n.js";
import { buildTable } from "../table.js";
import { toStamp } from "../state.js";

export const TOP_COLUMNS = ["project", "access", "start", "end", "rank", "article", "views"];
/** A mobile share outside [MOBILE_LOW, MOBILE_HIGH] flags an entry (bot/top_report.py's rule). */
export const MOBILE_LOW = 0.1;
export const MOBILE_HIGH = 0.9;
/**
 * The mobile share 1 - desktop/all of a title, or null when it is unknown (no all-access
 * views, or desktop views unknown), clamped at 0 as the bot clamps it.
 */
export function mobileShare(all, desktop) {
  if (!(all > 0) || desktop === null || desktop === undefined) return null;
  return Math.max(0, 1 - desktop / all);
}

/** The flag of a mobile share: null, or {kind: "mobile-low"|"mobile-high", share}. */
export function automatedFlag(share) {
  if (share === null || share === undefined) return null;
  if (share < MOBILE_LOW) return { kind: "mobile-low", share };
  if (share > MOBILE_HIGH) return { kind: "mobile-high", share };
  return null;
}

/**
 * Each title's desktop views from the desktop top list `articles`, or null for a title not in
 * it: top lists are cut (at 1000 entries, or the store's top size), so a missing title's
 * desktop views are unknown, and it is left unflagged rather than guessed.
 */
export function desktopLookup(articles) {
  const views = new Map(articles.map((entry) => [entry.article, entry.views]));
  return (title) => (views.has(title) ? views.get(title) : null);
}

/** `entries` with their `share` and `flag`; `desktop` is a desktopLookup, or null (no flags). */
export function withFlags(entries, desktop) {
  return entries.map((entry) => {
    const share = desktop ? mobileShare(entry.views, desktop(entry.article)) : null;
    return { ...entry, share, flag: automatedFlag(share) };
  });
}

/** The reader's words for `flag`: {label, reason}, or null. */
function flagCell(flag) {
  if (!flag) return null;
  const limit = formatShare(flag.kind === "mobile-low" ? MOBILE_LOW : MOBILE_HIGH);
  return { label: msg("flag-automated"), reason: msg(`flag-${flag.kind}`, formatShare(flag.share), limit) };
}

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

async function fetchTop(state, range, signal, platform = state.platform) {
  const [year, month, day] = range.start.split("-");
  const base = `${segment(state.project)}/${platform}`;
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
  const flagging = state.platform === "all-access";
  const [found, desktop] = await Promise.all([
    fetchTop(state, range, context.signal),
    flagging ? fetchTop(state, range, context.signal, "desktop") : null,
  ]);
  if (!found.length) throw new Error(msg("error-no-top", state.project));
  const kept = withFlags(found.filter((entry) => !excluded(entry.article)), desktop && desktopLookup(desktop));
  const shown = rerank(state.hideFlagged ? kept.filter((entry) => !entry.flag) : kept).slice(0, +state.limit);
  const top = shown.length ? shown[0].views : 0;
  const rows = shown.map((entry) => [state.project, state.platform, range.start, range.end, entry.rank, entry.article, entry.views]);
  const list = buildTable(
    [
      { label: msg("col-rank"), kind: "number" },
      { label: msg("col-title"), kind: "title" },
      { label: msg("col-views"), kind: "number" },
      { label: "", kind: "bar" },
      { label: msg("col-mobile-share"), kind: "number" },
      { label: msg("col-flag"), kind: "flag" },
    ],
    shown.map((entry) => [
      entry.rank, entry.article, entry.views, top ? (entry.views * 100) / top : 0,
      entry.share === null ? "" : formatShare(entry.share), flagCell(entry.flag),
    ]),
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
