// Tables, and the downloads of exactly the rows a view shows (CSV as the API writes it:
// RFC 4180 quoting and CRLF line ends; JSON as {"items": [...]}).
import { el, titleText } from "./dom.js";
import { formatNumber, msg } from "./i18n.js";

/**
 * A table of `rows` (arrays) under `columns` ({key, label, kind}); kind "number" right-aligns
 * and formats, "title" isolates bidi text, "bar" draws a bar of the row's share of `max`.
 * With `sortable`, header buttons sort by that column (the reader's choice, kept in the DOM).
 */
export function buildTable(columns, rows, { caption, footer, sortable = false, className = "" } = {}) {
  const table = el("table", { class: `wv-table ${className}` });
  if (caption) table.append(el("caption", {}, caption));
  const body = el("tbody");
  const fill = (ordered) => body.replaceChildren(...ordered.map((row) => el("tr", {},
    columns.map((column, i) => cell(column, row[i])))));
  const headers = columns.map((column, i) => {
    const th = el("th", { scope: "col", class: column.kind === "number" ? "wv-num" : "" });
    if (!sortable) {
      th.append(column.label);
      return th;
    }
    const button = el("button", { type: "button" }, column.label);
    button.addEventListener("click", () => {
      const descending = th.getAttribute("aria-sort") !== "descending";
      for (const other of table.querySelectorAll("th")) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const ordered = [...rows].sort((a, b) => compare(a[i], b[i]) * (descending ? -1 : 1));
      fill(ordered);
    });
    th.append(button);
    return th;
  });
  table.append(el("thead", {}, el("tr", {}, headers)));
  fill(rows);
  table.append(body);
  if (footer) table.append(el("tfoot", {}, el("tr", {}, columns.map((c, i) => cell(c, footer[i], "th")))));
  return table;
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

function cell(column, value, tag = "td") {
  if (value === null || value === undefined) return el(tag, {});
  if (column.kind === "number") {
    return el(tag, { class: "wv-num" }, typeof value === "number" ? formatNumber(value) : value);
  }
  if (column.kind === "title") return el(tag, {}, titleText(String(value)));
  if (column.kind === "bar") {
    const bar = el("span", { class: "wv-bar" });
    bar.style.inlineSize = `${Math.max(0, Math.min(100, value))}%`;
    return el(tag, { class: "wv-barcell", "aria-hidden": "true" }, bar);
  }
  if (column.kind === "flag") {
    // {label, reason}: the label shown, the reason as a tooltip and as text for screen readers.
    return el(tag, { class: "wv-flag", title: value.reason },
      value.label, el("span", { class: "wv-visually-hidden" }, `: ${value.reason}`));
  }
  return el(tag, {}, String(value));
}

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text of `columns` (names) and `rows`, CRLF line ends, as the API's `format=csv`. */
export function toCsv(columns, rows) {
  return [columns, ...rows].map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

/** JSON text of `rows` as objects keyed by `columns`, in the API's {"items": [...]} shape. */
export function toJson(columns, rows) {
  const items = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
  return JSON.stringify({ items }, null, 1);
}

/** Save `text` as a file named `name`. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** The "Total (N pages)" label of a footer row. */
export function totalLabel(count) {
  return msg("total-row", formatNumber(count));
}
