// Many pages (Massviews): views summed over a pasted list of titles, sortable, with totals.
import { categoryMembers } from "../category.js";
import { msg } from "../i18n.js";
import { categorySource } from "../state.js";
import { buildTable } from "../table.js";
import { articleItems, dailySeries, seriesStats } from "../series.js";

export const MASS_COLUMNS = ["project", "article", "access", "agent", "start", "end", "views"];
/** Titles one load reads at most (requests of the API's max_articles each). */
export const MAX_PAGES = 5000;

/** Load and shape the many-pages view of `state` over `range`. */
export async function load(state, range, context) {
  let titles = state.pages.slice(0, MAX_PAGES);
  if (state.target) {
    const source = categorySource(state.target, state.site);
    if (!source) throw new Error(msg("error-category", state.target));
    titles = await categoryMembers(source.api, source.title, MAX_PAGES, context.signal);
    if (!titles.length) throw new Error(msg("error-category", msg("error-no-articles")));
  }
  if (!titles.length) return { hint: msg("error-no-articles") };
  const { items } = await articleItems({ ...state, ...range, redirects: false }, titles, context.limits.maxArticles, context.signal);
  if (!items.length) throw new Error(msg("error-no-data", msg("total-row", titles.length), range.start, range.end));
  const daily = dailySeries(items, "article", titles);
  const stats = daily.series.map((s) => seriesStats(s.values));
  const sum = stats.reduce((a, s) => a + s.total, 0);
  const order = titles.map((_, i) => i).sort((a, b) => stats[b].total - stats[a].total);
  const rows = order.map((i) => [state.project, titles[i], state.platform, state.agent, range.start, range.end, stats[i].total]);
  const summary = buildTable(
    [
      { label: msg("col-title"), kind: "title" },
      { label: msg("col-views"), kind: "number" },
      { label: msg("col-average"), kind: "number" },
    ],
    order.map((i) => [titles[i], stats[i].total, stats[i].average]),
    { footer: [msg("total-row", titles.length), sum, Math.round((sum / Math.max(1, daily.days.length)) * 10) / 10], sortable: true },
  );
  const totalSeries = daily.days.map((_, d) => daily.series.reduce((a, s) => a + s.values[d], 0));
  return {
    chart: {
      labels: daily.days,
      series: [{ name: msg("total-row", titles.length), values: totalSeries }],
      scale: state.scale,
      label: msg("chart-label", msg("total-row", titles.length), range.start, range.end),
    },
    summary,
    columns: MASS_COLUMNS,
    rows,
    filename: `massviews-${state.project}-${range.start}-${range.end}`,
    notes: [],
  };
}
