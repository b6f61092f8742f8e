// The redirects view (Redirectviews): an article and the views of each of its redirects.
import { msg } from "../i18n.js";
import { buildTable } from "../table.js";
import { articleItems, dailySeries, seriesStats } from "../series.js";

export const REDIRECT_COLUMNS = ["project", "article", "kind", "access", "agent", "start", "end", "views"];
const CHART_SERIES = 10;

/** Load and shape the redirects view of `state` over `range`. */
export async function load(state, range, context) {
  if (!state.page) return { hint: msg("error-no-articles") };
  const query = { ...state, ...range };
  const per = context.limits.maxArticles;
  const listed = await articleItems({ ...query, redirects: true }, [state.page], per, context.signal);
  if (!listed.items.length) throw new Error(msg("error-no-data", state.page.replaceAll("_", " "), range.start, range.end));
  const redirects = listed.redirects[state.page] || [];
  const titles = [state.page, ...redirects];
  const { items } = await articleItems({ ...query, redirects: false }, titles, per, context.signal);
  const daily = dailySeries(items, "article", titles);
  const totals = daily.series.map((s) => seriesStats(s.values).total);
  const sum = totals.reduce((a, b) => a + b, 0);
  const order = titles.map((_, i) => i).sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : totals[b] - totals[a]));
  const kind = (i) => (i === 0 ? "target" : "redirect");
  const rows = order.map((i) => [state.project, titles[i], kind(i), state.platform, state.agent, range.start, range.end, totals[i]]);
  const summary = buildTable(
    [
      { label: msg("col-title"), kind: "title" },
      { label: msg("col-kind") },
      { label: msg("col-views"), kind: "number" },
      { label: msg("col-share"), kind: "number" },
    ],
    order.map((i) => [titles[i], msg(`kind-${kind(i)}`), totals[i], sum ? `${((totals[i] * 100) / sum).toFixed(1)} %` : "—"]),
    { footer: [msg("total-row", titles.length), "", sum, ""], sortable: true },
  );
  const charted = order.slice(0, CHART_SERIES);
  return {
    chart: {
      labels: daily.days,
      series: charted.map((i) => daily.series[i]),
      scale: state.scale,
      label: msg("chart-label", state.page.replaceAll("_", " "), range.start, range.end),
    },
    summary,
    columns: REDIRECT_COLUMNS,
    rows,
    filename: `redirectviews-${state.project}-${range.start}-${range.end}`,
    notes: redirects.length ? [] : [msg("no-redirects", state.page.replaceAll("_", " "))],
  };
}
