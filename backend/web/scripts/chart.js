// A line chart in plain SVG: one line per series, linear or logarithmic scale, a crosshair
// that follows the pointer and the arrow keys, and an accessible name pointing at the data
// table. About 200 lines instead of a charting library (see docs/statistics-page.md).
import { el, svg } from "./dom.js";
import { formatNumber } from "./i18n.js";

const WIDTH = 800;
const HEIGHT = 320;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 64 };
/** Ten colours told apart in light and dark mode (Tableau 10, the colour-blind-safe order). */
export const COLOURS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
];

/** Round tick values from 0 to at least `max` (about five of them). */
export function linearTicks(max) {
  if (max <= 0) return [0, 1];
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= rough);
  const ticks = [];
  for (let value = 0; value < max + step; value += step) ticks.push(value);
  return ticks;
}

/** Powers of ten from 1 to at least `max`. */
export function logTicks(max) {
  const ticks = [1];
  while (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] * 10);
  if (ticks.length < 2) ticks.push(10);
  return ticks;
}

function scaleY(ticks, log) {
  const top = ticks[ticks.length - 1];
  const span = HEIGHT - MARGIN.top - MARGIN.bottom;
  if (log) {
    const high = Math.log10(top);
    // Zero has no logarithm: it sits on the axis, with 1.
    return (v) => HEIGHT - MARGIN.bottom - (v <= 1 ? 0 : (Math.log10(v) / high) * span);
  }
  return (v) => HEIGHT - MARGIN.bottom - (v / top) * span;
}

/**
 * Draw `data` ({labels, series: [{name, values}], scale, label}) into `figure`, replacing what
 * was there. `labels` are the x positions' texts; `label` is the chart's accessible name.
 */
export function drawLineChart(figure, data) {
  const { labels, series } = data;
  const log = data.scale === "log";
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const ticks = log ? logTicks(max) : linearTicks(max);
  const y = scaleY(ticks, log);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (i) => MARGIN.left + (labels.length > 1 ? (i / (labels.length - 1)) * plotWidth : plotWidth / 2);

  const grid = ticks.map((t) => svg("g", { class: "wv-tick" },
    svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(t), y2: y(t) }),
    svg("text", { x: MARGIN.left - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "middle" },
      formatNumber(t))));
  const every = Math.max(1, Math.ceil(labels.length / 6));
  // The first and last labels align with the plot's edges so neither is cut off.
  const anchor = (i) => (labels.length < 2 ? "middle" : i === 0 ? "start" : i === labels.length - 1 ? "end" : "middle");
  const xLabels = labels.map((text, i) => (i % every === 0 || i === labels.length - 1) && (
    labels.length < 2 || i === labels.length - 1 || labels.length - 1 - i >= every / 2)
    ? svg("text", { x: x(i), y: HEIGHT - 8, "text-anchor": anchor(i) }, text) : null);
  const lines = series.map((s, n) => {
    const colour = COLOURS[n % COLOURS.length];
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    return svg("g", { class: "wv-series", "data-series": s.name },
      svg("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2 }),
      s.values.length <= 62 ? s.values.map((v, i) => svg("circle", {
        cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, fill: colour,
      })) : null);
  });
  const cursor = svg("line", { class: "wv-cursor", y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, visibility: "hidden" });
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": data.label, tabindex: 0,
    class: "wv-svg", "aria-describedby": "wv-readout",
  }, svg("g", { class: "wv-axis" }, grid, xLabels), lines, cursor);
  const readout = el("p", { id: "wv-readout", class: "wv-readout", "aria-live": "polite" });
  const legend = el("ul", { class: "wv-legend" }, series.map((s, n) => el("li", {},
    svg("svg", { viewBox: "0 0 10 10", width: 12, height: 12, "aria-hidden": "true" },
      svg("rect", { width: 10, height: 10, fill: COLOURS[n % COLOURS.length] })),
    el("bdi", { dir: "auto" }, s.name.replaceAll("_", " ")))));
  figure.replaceChildren(chart, legend, readout);

  let index = -1;
  const show = (i) => {
    index = Math.max(0, Math.min(labels.length - 1, i));
    cursor.setAttribute("x1", x(index));
    cursor.setAttribute("x2", x(index));
    cursor.setAttribute("visibility", "visible");
    readout.replaceChildren(`${labels[index]}: `, ...series.flatMap((s, n) => [
      n ? "; " : "", el("bdi", { dir: "auto" }, s.name.replaceAll("_", " ")), ` ${formatNumber(s.values[index])}`,
    ]));
  };
  chart.addEventListener("pointermove", (event) => {
    const box = chart.getBoundingClientRect();
    const at = ((event.clientX - box.left) / box.width) * WIDTH;
    show(Math.round(((at - MARGIN.left) / plotWidth) * (labels.length - 1)));
  });
  chart.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const step = moves[event.key];
    show(Number.isFinite(step) ? (index < 0 ? labels.length - 1 : index + step) : (step < 0 ? 0 : labels.length - 1));
  });
}
