// Reading daily series from the API and shaping them for the chart, the tables and downloads.
import { getJson, PAGEVIEWS, segment, WIKIVIEWS } from "./api.js";
import { msg } from "./i18n.js";
import { fromStamp, isPartialMonth, monthlyTotals, toStamp } from "./state.js";

/** Columns of a per-article download: the API's own CSV columns, in its order. */
export const ARTICLE_COLUMNS = ["project", "article", "granularity", "timestamp", "access", "agent", "views"];
/** Columns of a per-project download: the aggregate route's item fields. */
export const PROJECT_COLUMNS = ["project", "access", "agent", "granularity", "timestamp", "views"];

/**
 * Daily per-article items of `titles` (zero-filled over the published days), in as many
 * requests of at most `perRequest` titles as needed. Resolves to {items, redirects}; items
 * keep the API's order (by title as asked, then by day). No published day: empty items.
 */
export async function articleItems(query, titles, perRequest, signal) {
  const { project, platform, agent, start, end, redirects } = query;
  const path = `${WIKIVIEWS}/per-article/${segment(project)}/${platform}/${agent}/daily/`
    + `${toStamp(start)}/${toStamp(end)}`;
  const chunks = [];
  for (let i = 0; i < titles.length; i += perRequest) chunks.push(titles.slice(i, i + perRequest));
  const ask = (chunk) => {
    const params = new URLSearchParams({ zero_fill: "1" });
    if (redirects) params.set("redirects", "1");
    for (const title of chunk) params.append("title", title);
    return getJson(path, params, { missingIsEmpty: true, signal });
  };
  const answers = await inTurns(chunks, ask);
  const items = [];
  const redirected = {};
  for (const answer of answers) {
    if (!answer) continue;
    items.push(...answer.items);
    Object.assign(redirected, answer.redirects || {});
  }
  return { items, redirects: redirected };
}

/** Requests at once at most: a long Massviews list stays under the API's rate limit. */
const PARALLEL = 4;

/** `ask` of every item, at most PARALLEL at a time, answers in the items' order. */
async function inTurns(items, ask) {
  const answers = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      answers[at] = await ask(items[at]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return answers;
}

/** Daily items of a whole project from the aggregate route (empty when it has none). */
export async function projectItems(query, signal) {
  const { project, platform, agent, start, end } = query;
  const path = `${PAGEVIEWS}/aggregate/${segment(project)}/${platform}/${agent}/daily/`
    + `${toStamp(start)}/${toStamp(end)}`;
  const answer = await getJson(path, {}, { missingIsEmpty: true, signal });
  return answer ? answer.items : [];
}

/**
 * Items grouped by `key` (a field name) into daily series over every day any item has:
 * {days: ["YYYY-MM-DD"], series: [{name, values}]} in the order of `names`.
 */
export function dailySeries(items, key, names) {
  const days = [...new Set(items.map((item) => item.timestamp))].sort();
  const at = new Map(days.map((stamp, i) => [stamp, i]));
  const series = names.map((name) => ({ name, values: new Array(days.length).fill(0) }));
  const byName = new Map(series.map((s) => [s.name, s]));
  for (const item of items) {
    const target = byName.get(item[key]);
    if (target) target.values[at.get(item.timestamp)] += item.views;
  }
  return { days: days.map(fromStamp), series };
}

/**
 * What the chart shows for `granularity`: labels, series, and download rows made by
 * `rowOf(seriesName, timestamp, views)`. Monthly sums the days of each month; a month the
 * range cuts is labelled partial.
 */
export function shapeForChart(daily, granularity, rowOf) {
  if (granularity !== "monthly") {
    const rows = daily.series.flatMap((s) => s.values.map((v, i) => rowOf(s.name, toStamp(daily.days[i]), v, "daily")));
    return { labels: daily.days, series: daily.series, rows };
  }
  const months = monthlyTotals(daily.days, daily.days.map(() => 0));
  const series = daily.series.map((s) => ({ name: s.name, values: monthlyTotals(daily.days, s.values).map((m) => m.views) }));
  const labels = months.map((m) => (isPartialMonth(m) ? msg("partial-month", m.month) : m.month));
  const rows = series.flatMap((s) => s.values.map((v, i) => rowOf(s.name, `${months[i].month.replace("-", "")}0100`, v, "monthly")));
  return { labels, series, rows };
}

/** Total, daily average and change (second half of the days against the first) of values. */
export function seriesStats(values) {
  const total = values.reduce((a, b) => a + b, 0);
  const half = Math.floor(values.length / 2);
  const first = values.slice(0, half).reduce((a, b) => a + b, 0);
  const second = values.slice(values.length - half).reduce((a, b) => a + b, 0);
  return {
    total,
    average: values.length ? Math.round((total / values.length) * 10) / 10 : 0,
    change: half && first ? ((second - first) * 100) / first : null,
  };
}
