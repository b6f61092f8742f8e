// Messages and number/date formatting in the reader's language (from the page's config).

let catalogue = {};
let language = "en";

/** Use the messages and language of the page's config. */
export function setMessages(messages, lang) {
  catalogue = messages;
  language = lang;
}

/** The message `key` with $1, $2 … replaced by `args` (plain text: callers insert it as text). */
export function msg(key, ...args) {
  const text = Object.hasOwn(catalogue, key) ? catalogue[key] : key;
  return text.replace(/\$(\d)/g, (whole, n) => (args[n - 1] === undefined ? whole : String(args[n - 1])));
}

/** A whole number with the reader's digit grouping. */
export function formatNumber(value) {
  return new Intl.NumberFormat(language).format(value);
}

/** A percentage with one decimal and its sign, or an em dash when there is none. */
export function formatChange(value) {
  if (value === null || !Number.isFinite(value)) return "—";
  return new Intl.NumberFormat(language, {
    style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero",
  }).format(value / 100);
}

/** A share (0..1) as a percentage with at most one decimal, in the reader's language. */
export function formatShare(value) {
  return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 }).format(value);
}
