// The wiki view (Siteviews): views of whole projects over time, several compared.
import { formatChange, msg } from "../i18n.js";
import { buildTable } from "../table.js";
import { dailySeries, PROJECT_COLUMNS, projectItems, seriesStats, shapeForChart } from "../series.js";

/** Load and shape the wiki view of `state` over `range`. */
export async function load(state, range, context) {
  const sites = state.sites.slice(0, 10);
  if (!sites.length) return { hint: msg("error-no-sites") };
  const answers = await Promise.all(sites.map((project) => projectItems({ ...state, ...range, project }, context.signal)));
  const items = answers.flat();
  if (!items.length) throw new Error(msg("error-no-data", sites.join(", "), range.start, range.end));
  const notes = state.sites.length > sites.length ? [msg("error-too-many", sites.length)] : [];
  notes.push(...sites.filter((_, i) => !answers[i].length)
    .map((site) => msg("error-no-data", site, range.start, range.end)));
  const daily = dailySeries(items, "project", sites);
  const shaped = shapeForChart(daily, state.granularity, (project, timestamp, views, granularity) => [
    project, state.platform, state.agent, granularity, timestamp, views,
  ]);
  const stats = daily.series.map((s) => seriesStats(s.values));
  const summary = buildTable(
    [
      { label: msg("col-project") },
      { label: msg("col-total"), kind: "number" },
      { label: msg("col-average"), kind: "number" },
      { label: msg("col-change"), kind: "number" },
    ],
    sites.map((site, i) => [site, stats[i].total, stats[i].average, formatChange(stats[i].change)]),
    { caption: msg("change-help") },
  );
  return {
    chart: {
      labels: shaped.labels,
      series: shaped.series,
      scale: state.scale,
      label: msg("chart-label", sites.join(", "), range.start, range.end),
    },
    summary,
    columns: PROJECT_COLUMNS,
    rows: shaped.rows,
    filename: `siteviews-${range.start}-${range.end}`,
    notes,
  };
}
