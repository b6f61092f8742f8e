// The article view (Pageviews): up to ten articles on one chart, totals beside it.
import { formatChange, msg } from "../i18n.js";
import { buildTable } from "../table.js";
import { ARTICLE_COLUMNS, articleItems, dailySeries, seriesStats, shapeForChart } from "../series.js";

/** Articles one chart shows at most (Pageviews Analysis' limit; Massviews takes more). */
export const MAX_CHART_ARTICLES = 10;

/** Load and shape the article view of `state` over `range`. */
export async function load(state, range, context) {
  if (!state.pages.length) return { hint: msg("error-no-articles") };
  const notes = [];
  const titles = state.pages.slice(0, MAX_CHART_ARTICLES);
  if (state.pages.length > titles.length) notes.push(msg("error-too-many", MAX_CHART_ARTICLES));
  const query = { ...state, ...range };
  const { items, redirects } = await articleItems(query, titles, context.limits.maxArticles, context.signal);
  if (!items.length) {
    throw new Error(msg("error-no-data", titles.map((t) => t.replaceAll("_", " ")).join(", "), range.start, range.end));
  }
  const daily = dailySeries(items, "article", titles);
  const shaped = shapeForChart(daily, state.granularity, (title, timestamp, views, granularity) => [
    state.project, title, granularity, timestamp, state.platform, state.agent, views,
  ]);
  const stats = daily.series.map((s) => seriesStats(s.values));
  for (const [i, s] of stats.entries()) {
    if (s.total === 0) notes.push(msg("error-no-data", titles[i].replaceAll("_", " "), range.start, range.end));
  }
  const summary = buildTable(
    [
      { label: msg("col-title"), kind: "title" },
      { label: msg("col-total"), kind: "number" },
      { label: msg("col-average"), kind: "number" },
      { label: msg("col-change"), kind: "number" },
    ],
    titles.map((title, i) => [
      title + (redirects[title]?.length ? ` (+${redirects[title].length})` : ""),
      stats[i].total, stats[i].average, formatChange(stats[i].change),
    ]),
    { caption: msg("change-help") },
  );
  return {
    chart: {
      labels: shaped.labels,
      series: shaped.series,
      scale: state.scale,
      label: msg("chart-label", titles.join(", ").replaceAll("_", " "), range.start, range.end),
    },
    summary,
    columns: ARTICLE_COLUMNS,
    rows: shaped.rows,
    filename: `pageviews-${state.project}-${range.start}-${range.end}`,
    notes,
  };
}
