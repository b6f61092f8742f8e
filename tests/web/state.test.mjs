// Unit tests of the page's view logic that needs no browser (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { linearTicks, logTicks } from "../../backend/web/scripts/chart.js";
import { dailySeries, seriesStats, shapeForChart } from "../../backend/web/scripts/series.js";
import {
  categorySource, isPartialMonth, monthlyTotals, presetRange, projectName, readState, resolveRange, splitTitles, writeQuery,
} from "../../backend/web/scripts/state.js";
import { csvField, toCsv } from "../../backend/web/scripts/table.js";
import {
  automatedFlag, desktopLookup, MOBILE_HIGH, MOBILE_LOW, mobileShare, rerank, withFlags,
} from "../../backend/web/scripts/views/topviews.js";

const defaults = { project: "en.wikipedia" };
const read = (view, query) => readState(view, new URLSearchParams(query), defaults);

test("Pageviews Analysis links are read as they are written", () => {
  const { state, problems } = read("pageviews",
    "project=en.wikipedia.org&platform=desktop&agent=bot&redirects=1&range=latest-20&pages=Cat|Dog|Cat");
  assert.deepEqual(problems, []);
  assert.equal(state.project, "en.wikipedia");
  assert.equal(state.platform, "desktop");
  assert.equal(state.agent, "automated");
  assert.equal(state.redirects, true);
  assert.equal(state.range, "latest-20");
  assert.deepEqual(state.pages, ["Cat", "Dog"]);
});

test("monthly links give YYYY-MM and mean whole months", () => {
  const { state } = read("pageviews", "pages=A&start=2024-01&end=2024-02");
  assert.equal(state.granularity, "monthly");
  assert.equal(state.start, "2024-01-01");
  assert.equal(state.end, "2024-02-29");
});

test("bad dates and reversed ranges are problems in message keys", () => {
  assert.deepEqual(read("pageviews", "start=2024-02-30&end=2024-03-01").problems, [["error-bad-date", "2024-02-30"]]);
  assert.deepEqual(read("pageviews", "start=2024-03-02&end=2024-03-01").problems, [["error-range-order"]]);
});

test("presets end at the last published day", () => {
  assert.deepEqual(presetRange("latest-30", "2024-03-03", "2024-01-01"), { start: "2024-02-03", end: "2024-03-03" });
  assert.deepEqual(presetRange("this-year", "2024-03-03"), { start: "2024-01-01", end: "2024-03-03" });
  assert.deepEqual(presetRange("last-year", "2024-03-03"), { start: "2023-01-01", end: "2023-12-31" });
  assert.deepEqual(presetRange("last-month", "2024-03-03"), { start: "2024-02-01", end: "2024-02-29" });
  assert.deepEqual(presetRange("all-time", "2024-03-03", "2024-01-01"), { start: "2024-01-01", end: "2024-03-03" });
  assert.equal(presetRange("latest-30", null), null);
});

test("a state survives its own URL", () => {
  for (const [view, query] of [
    ["pageviews", "project=de.wikipedia&platform=mobile-app&agent=spider&start=2024-01-01&end=2024-01-31&granularity=monthly&scale=log&redirects=1&pages=A|B"],
    ["siteviews", "sites=en.wikipedia|de.wikipedia&range=this-year"],
    ["topviews", "project=en.wikipedia&date=2024-02&limit=50&excludes=&pattern=x"],
    ["topviews", "project=en.wikipedia&start=2024-02-01&end=2024-02-07"],
    ["redirectviews", "project=en.wikipedia&page=Target&range=latest-90"],
    ["massviews", "project=en.wikipedia&pages=A|B|C"],
  ]) {
    const first = read(view, query).state;
    const again = read(view, writeQuery(first)).state;
    assert.deepEqual(again, first, view);
  }
});

test("the top view leaves out the Main Page and Special pages unless told not to", () => {
  const plain = read("topviews", "project=en.wikipedia").state;
  assert.deepEqual(plain.excludes, ["Main_Page"]);
  assert.equal(plain.pattern, "^Special:");
  assert.equal(writeQuery(plain), "project=en.wikipedia");
  const none = read("topviews", "project=en.wikipedia&excludes=&pattern=").state;
  assert.deepEqual([none.excludes, none.pattern], [[], ""]);
});

test("the top view's periods", () => {
  const span = { first: "2024-01-01", last: "2024-03-03" };
  assert.deepEqual(resolveRange(read("topviews", "").state, span), { start: "2024-03-03", end: "2024-03-03" });
  assert.deepEqual(resolveRange(read("topviews", "date=2024-02").state, span), { start: "2024-02-01", end: "2024-02-29" });
  assert.deepEqual(resolveRange(read("topviews", "date=last-month").state, span), { start: "2024-02-01", end: "2024-02-29" });
});

test("project names and title lists are normalised", () => {
  assert.equal(projectName(" www.Wikidata.org "), "wikidata");
  assert.deepEqual(splitTitles(" Foo bar |Foo_bar\nBaz||"), ["Foo_bar", "Baz"]);
});

test("monthly totals mark the months a range cuts", () => {
  const days = ["2024-01-30", "2024-01-31", "2024-02-01"];
  const months = monthlyTotals(days, [1, 2, 3]);
  assert.deepEqual(months.map((m) => [m.month, m.views, isPartialMonth(m)]), [["2024-01", 3, true], ["2024-02", 3, true]]);
});

test("series are zero-filled over the days any of them has", () => {
  const items = [
    { article: "A", timestamp: "2024010100", views: 5 },
    { article: "B", timestamp: "2024010200", views: 7 },
  ];
  const daily = dailySeries(items, "article", ["A", "B"]);
  assert.deepEqual(daily, { days: ["2024-01-01", "2024-01-02"], series: [{ name: "A", values: [5, 0] }, { name: "B", values: [0, 7] }] });
  const shaped = shapeForChart(daily, "monthly", (name, stamp, views, g) => [name, stamp, views, g]);
  assert.deepEqual(shaped.rows, [["A", "2024010100", 5, "monthly"], ["B", "2024010100", 7, "monthly"]]);
});

test("totals, averages and the change between halves", () => {
  assert.deepEqual(seriesStats([10, 10, 20, 20]), { total: 60, average: 15, change: 100 });
  assert.deepEqual(seriesStats([0, 0, 5]), { total: 5, average: 1.7, change: null });
});

test("CSV fields are quoted as RFC 4180 wants and the API writes", () => {
  assert.equal(csvField('Say "Hi", World'), '"Say ""Hi"", World"');
  assert.equal(csvField("<script>"), "<script>");
  assert.equal(toCsv(["a", "b"], [[1, "x\ny"]]), 'a,b\r\n1,"x\ny"\r\n');
});

test("ties share a rank after titles are left out", () => {
  const ranked = rerank([{ article: "A", views: 9 }, { article: "B", views: 5 }, { article: "C", views: 5 }, { article: "D", views: 1 }]);
  assert.deepEqual(ranked.map((e) => e.rank), [1, 2, 2, 4]);
});

test("axis ticks are round and cover the data", () => {
  assert.deepEqual(linearTicks(3100), [0, 1000, 2000, 3000, 4000]);
  assert.deepEqual(linearTicks(0), [0, 1]);
  assert.deepEqual(logTicks(3100), [1, 10, 100, 1000, 10000]);
});

test("a category page URL names the wiki's API and the category", () => {
  assert.deepEqual(categorySource("https://wiki.example.org/wiki/Category:Big%20cats"),
    { api: "https://wiki.example.org/w/api.php", title: "Category:Big_cats" });
  assert.deepEqual(categorySource("http://127.0.0.1:8080/index.php?title=Category:X", "http://127.0.0.1:8080/api.php"),
    { api: "http://127.0.0.1:8080/api.php", title: "Category:X" });
  assert.equal(categorySource("javascript:alert(1)"), null);
  assert.equal(categorySource("not a url"), null);
  assert.equal(categorySource("https://wiki.example.org/"), null);
});

test("the mobile share is 1 - desktop/all, unknown without views or desktop figures", () => {
  assert.equal(mobileShare(3100, 3000), 1 - 3000 / 3100);
  assert.equal(mobileShare(100, 100), 0);
  assert.equal(mobileShare(100, 0), 1);
  assert.equal(mobileShare(100, 120), 0); // desktop above all-access (other agents): clamped
  assert.equal(mobileShare(0, 0), null);
  assert.equal(mobileShare(100, null), null);
  assert.equal(mobileShare(100, undefined), null);
});

test("entries are flagged outside [10 %, 90 %] of mobile share, as the report bot flags them", () => {
  assert.equal(MOBILE_LOW, 0.1);
  assert.equal(MOBILE_HIGH, 0.9);
  assert.deepEqual(automatedFlag(0.0999), { kind: "mobile-low", share: 0.0999 });
  assert.equal(automatedFlag(0.1), null);
  assert.equal(automatedFlag(0.5), null);
  assert.equal(automatedFlag(0.9), null);
  assert.deepEqual(automatedFlag(0.9001), { kind: "mobile-high", share: 0.9001 });
  assert.equal(automatedFlag(null), null);
});

test("desktop views come from the desktop top list; a title missing from it stays unflagged", () => {
  const lookup = desktopLookup([{ article: "A", views: 5 }]);
  assert.equal(lookup("A"), 5);
  assert.equal(lookup("B"), null);
  const flagged = withFlags(
    [{ article: "Bot", views: 3100 }, { article: "Human", views: 100 }, { article: "App", views: 50 }, { article: "Gone", views: 9 }],
    desktopLookup([{ article: "Bot", views: 3000 }, { article: "Human", views: 50 }, { article: "App", views: 0 }]),
  );
  assert.deepEqual(flagged.map((e) => [e.article, e.share, e.flag && e.flag.kind]), [
    ["Bot", 1 - 3000 / 3100, "mobile-low"],
    ["Human", 0.5, null],
    ["App", 1, "mobile-high"],
    ["Gone", null, null],
  ]);
  assert.deepEqual(withFlags([{ article: "A", views: 1 }], null), [{ article: "A", views: 1, share: null, flag: null }]);
});

test("hiding flagged entries is kept in the top view's permalink", () => {
  const { state } = read("topviews", "date=2024-03-01&hideflagged=1");
  assert.equal(state.hideFlagged, true);
  assert.match(writeQuery(state), /(^|&)hideflagged=1(&|$)/);
  const plain = read("topviews", "date=2024-03-01").state;
  assert.equal(plain.hideFlagged, false);
  assert.doesNotMatch(writeQuery(plain), /hideflagged/);
});
