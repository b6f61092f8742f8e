// Drives the statistics page in headless Chromium (Debian's, through playwright-core) and
// prints what it saw as JSON, one object per scenario. tests/web/test_browser.py runs it
// against a real `wikiviews serve` and compares every number with the store's.
//
//   node tests/web/browser.mjs BASE_URL ARTIFACT_DIR SCENARIO...
import { readFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

const [base, artifacts, ...wanted] = process.argv.slice(2);
const CHROMIUM = process.env.WIKIVIEWS_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SETTLED = ["ready", "error", "empty"];

/** A new page that records console errors, page errors and dialogs into `log`. */
async function open(context, log) {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") log.console.push(message.text());
  });
  page.on("pageerror", (error) => log.console.push(`pageerror: ${error.message}`));
  page.on("dialog", async (dialog) => {
    log.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return page;
}

/** Wait until the view has finished loading (the page sets body[data-state]). */
async function settled(page) {
  await page.waitForFunction((states) => states.includes(document.body.dataset.state), SETTLED);
  return page.evaluate(() => document.body.dataset.state);
}

/** Navigate with `act` (a click, a select, goBack …) and wait for the new load to settle. */
async function reload(page, act) {
  await page.evaluate(() => { document.body.dataset.state = "stale"; });
  await act();
  return settled(page);
}

/** What the page shows: URL, status, errors, chart, legend, summary and data tables. */
function observe(page) {
  return page.evaluate(() => {
    const text = (node) => (node ? node.textContent.trim() : null);
    const rows = (selector) => [...document.querySelectorAll(selector)].map((tr) =>
      [...tr.children].map((cell) => cell.textContent.trim()));
    const chart = document.querySelector("#wv-chart svg.wv-svg");
    return {
      url: window.location.pathname + window.location.search,
      state: document.body.dataset.state,
      status: text(document.getElementById("wv-status")),
      error: document.getElementById("wv-error").hidden ? null : text(document.getElementById("wv-error")),
      resultsShown: !document.getElementById("wv-results").hidden,
      chartLabel: chart ? chart.getAttribute("aria-label") : null,
      chartPoints: [...document.querySelectorAll("#wv-chart polyline")].map((line) => line.getAttribute("points").split(" ").length),
      legend: [...document.querySelectorAll(".wv-legend li")].map((li) => li.textContent.trim()),
      summary: rows("#wv-summary tbody tr, #wv-chart table tbody tr"),
      dataHeader: rows("#wv-datatable thead tr")[0] || [],
      data: rows("#wv-datatable tbody tr"),
      chips: [...document.querySelectorAll(".wv-chip bdi")].map((b) => b.textContent),
      form: Object.fromEntries([...document.getElementById("wv-form").elements]
        .filter((e) => e.name).map((e) => [e.name, e.type === "checkbox" ? e.checked : e.value])),
      permalink: document.getElementById("wv-permalink").href,
      apiRequests: performance.getEntriesByType("resource")
        .filter((r) => r.name.includes("/api/")).map((r) => r.name.replace(location.origin, "")),
      inlined: Boolean(document.getElementById("wv-first")),
      scripts: [...document.scripts].map((s) => s.src || s.type),
    };
  });
}

/** The text of the file a click on `selector` downloads. */
async function downloaded(page, selector) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), "utf8") };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Loads `url`, reads the chart with the keyboard (End: the last day), downloads both files. */
async function loadAndRead(page, url, name) {
  await page.goto(base + url);
  await settled(page);
  const seen = await observe(page);
  if (seen.chartLabel) {
    await page.focus("#wv-chart svg.wv-svg");
    await page.keyboard.press("End");
    seen.readoutLast = await page.textContent("#wv-readout");
    await page.keyboard.press("Home");
    seen.readoutFirst = await page.textContent("#wv-readout");
  }
  if (seen.resultsShown) {
    seen.csv = await downloaded(page, "#wv-csv");
    seen.json = await downloaded(page, "#wv-json");
  }
  await shot(page, name);
  return seen;
}

const SCENARIOS = {
  /** The article view of two articles over February, read every way the page offers. */
  async article(context, log) {
    const page = await open(context, log);
    return loadAndRead(page, "/?project=en.wikipedia.org&pages=Main_Page|Second&start=2024-02-01&end=2024-02-29", "article");
  },

  /** The same in dark mode, for the screenshot (and its console). */
  async articleDark(context, log, browser) {
    const dark = await browser.newContext({ colorScheme: "dark", viewport: { width: 1200, height: 900 } });
    const page = await open(dark, log);
    await page.goto(`${base}/?project=en.wikipedia&pages=Main_Page|Second|Target&range=all-time`);
    await settled(page);
    await shot(page, "article-dark");
    const seen = await observe(page);
    seen.background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await dark.close();
    return seen;
  },

  /** Selectors change the chart and the URL; back and forward restore each state. */
  async selectors(context, log) {
    const page = await open(context, log);
    const steps = [];
    await page.goto(`${base}/?project=en.wikipedia&pages=Main_Page&start=2024-03-01&end=2024-03-03`);
    await settled(page);
    steps.push(await observe(page));
    await reload(page, () => page.selectOption("select[name=platform]", "mobile-web"));
    steps.push(await observe(page));
    await reload(page, () => page.selectOption("select[name=agent]", "all-agents"));
    steps.push(await observe(page));
    await reload(page, () => page.selectOption("select[name=granularity]", "monthly"));
    steps.push(await observe(page));
    await reload(page, () => page.goBack());
    steps.push(await observe(page));
    await reload(page, () => page.goBack());
    steps.push(await observe(page));
    await reload(page, () => page.goForward());
    steps.push(await observe(page));
    await shot(page, "selectors");
    return { steps };
  },

  /** Adding an article with the title box (keyboard only) and removing one with its button. */
  async titleBox(context, log) {
    const page = await open(context, log);
    const steps = [];
    await page.goto(`${base}/?project=en.wikipedia&pages=Main_Page&start=2024-03-01&end=2024-03-03`);
    await settled(page);
    await page.focus("input[name=title]");
    await page.keyboard.type("Sec");
    await page.waitForFunction(() => document.querySelectorAll("#wv-suggestions option").length > 0);
    const suggestions = await page.$$eval("#wv-suggestions option", (options) => options.map((o) => o.value));
    await page.keyboard.type("ond");
    await reload(page, () => page.keyboard.press("Enter"));
    steps.push(await observe(page));
    await reload(page, () => page.click(".wv-chip-remove >> nth=0"));
    steps.push(await observe(page));
    return { suggestions, steps };
  },

  /** A permalink opened in a new tab shows the same state and numbers. */
  async permalink(context, log) {
    const page = await open(context, log);
    await page.goto(`${base}/?project=en.wikipedia&pages=Target&range=all-time`);
    await settled(page);
    await reload(page, () => page.check("input[name=redirects]"));
    await reload(page, () => page.selectOption("select[name=scale]", "log"));
    const before = await observe(page);
    const other = await open(context, log);
    await other.goto(before.permalink);
    await settled(other);
    return { before, after: await observe(other) };
  },

  /** Hostile and right-to-left titles render as text: in chips, legend, tables, CSV, URL. */
  async hostile(context, log) {
    const page = await open(context, log);
    const titles = ["<script>alert(1)</script>", "A|B_{{x}}_]]", 'Say_"Hi",_World', "עברית_(ספר)"]
      .map(encodeURIComponent);
    // `|` inside a title cannot travel in pages=; the massviews box takes one title a line.
    const seen = await loadAndRead(page, `/massviews?project=en.wikipedia&start=2024-03-01&end=2024-03-03&pages=${titles.join("%0A")}`, "hostile");
    seen.injected = await page.evaluate(() => document.querySelectorAll("script:not([src]):not([type='application/json']), img, iframe").length);
    return seen;
  },

  /** Errors in words: a malformed title, an unknown wiki, a title never viewed, a bad date. */
  async errors(context, log) {
    const page = await open(context, log);
    const out = {};
    for (const [name, url] of Object.entries({
      badTitle: `/?project=en.wikipedia&pages=${"%C3%A9".repeat(300)}`,
      unknownProject: "/?project=xx.wikinothing&pages=Foo",
      neverViewed: "/?project=en.wikipedia&pages=Never_Viewed_Anything&start=2024-03-01&end=2024-03-03",
      badDate: "/?project=en.wikipedia&pages=Main_Page&start=2024-02-30",
      badPattern: "/topviews?project=en.wikipedia&date=2024-03-01&pattern=(",
    })) {
      await page.goto(base + url);
      await settled(page);
      out[name] = await observe(page);
    }
    await shot(page, "errors");
    return out;
  },

  async siteviews(context, log) {
    const page = await open(context, log);
    return loadAndRead(page, "/siteviews?sites=en.wikipedia.org|de.wikipedia.org&start=2024-03-01&end=2024-03-03", "siteviews");
  },

  async topviews(context, log) {
    const page = await open(context, log);
    const seen = await loadAndRead(page, "/topviews?project=en.wikipedia&date=2024-03-01", "topviews");
    await reload(page, async () => {
      await page.fill("input[name=pattern]", "^Sec");
      await page.press("input[name=pattern]", "Enter");
    });
    seen.patterned = await observe(page);
    seen.flagTips = await page.$$eval("#wv-summary td.wv-flag, #wv-chart td.wv-flag", (cells) => cells.map((c) => c.title));
    await reload(page, () => page.check("input[name=hideflagged]"));
    seen.hidden = await observe(page);
    const other = await open(context, log);
    await other.goto(seen.hidden.permalink);
    await settled(other);
    seen.hiddenRestored = await observe(other);
    return seen;
  },

  async topRange(context, log) {
    const page = await open(context, log);
    return loadAndRead(page, "/topviews?project=en.wikipedia&start=2024-03-01&end=2024-03-03&excludes=", "topviews-range");
  },

  async redirectviews(context, log) {
    const page = await open(context, log);
    return loadAndRead(page, "/redirectviews?project=en.wikipedia&page=Target&start=2024-03-01&end=2024-03-03", "redirectviews");
  },

  async massviews(context, log) {
    const page = await open(context, log);
    return loadAndRead(page, "/massviews?project=en.wikipedia&pages=Main_Page|Second|Steady|Never_Viewed&start=2024-02-01&end=2024-02-29", "massviews");
  },

  /** More titles than one API request takes (WIKIVIEWS_MAX_ARTICLES is 50): several requests. */
  async massviewsMany(context, log) {
    const page = await open(context, log);
    const titles = [
      ...Array.from({ length: 10 }, (_, i) => `Spike_${10 + i}`),
      ...Array.from({ length: 110 }, (_, i) => `Nothing_${i}`),
    ];
    const seen = await loadAndRead(page, `/massviews?project=en.wikipedia&start=2024-02-01&end=2024-02-29&pages=${titles.join("|")}`, "massviews-many");
    seen.footer = await page.$$eval("#wv-summary tfoot th", (cells) => cells.map((c) => c.textContent.trim()));
    seen.requests = await page.evaluate(() => performance.getEntriesByType("resource").filter((r) => r.name.includes("/per-article/")).length);
    return seen;
  },

  /** Massviews of a category's members, read from the wiki's API (WIKIVIEWS_TEST_WIKI). */
  async category(context, log) {
    const page = await open(context, log);
    const wiki = process.env.WIKIVIEWS_TEST_WIKI;
    const target = encodeURIComponent(`${wiki}/wiki/Category:Test`);
    const seen = await loadAndRead(page, `/massviews?project=en.wikipedia&source=category&target=${target}&start=2024-02-01&end=2024-02-29`, "massviews-category");
    await page.goto(`${base}/massviews?project=en.wikipedia&source=category&target=${encodeURIComponent(`${wiki}/wiki/Category:Nope`)}`);
    await settled(page);
    seen.missing = await observe(page);
    return seen;
  },

  /** German messages, on a phone-sized screen. */
  async german(context, log, browser) {
    const phone = await browser.newContext({ locale: "de-DE", viewport: { width: 390, height: 844 } });
    const page = await open(phone, log);
    await page.goto(`${base}/?project=en.wikipedia&pages=Main_Page&start=2024-03-01&end=2024-03-03`);
    await settled(page);
    await shot(page, "german-phone");
    const seen = await observe(page);
    seen.heading = await page.textContent("h1");
    seen.scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await phone.close();
    return seen;
  },
};

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
const results = {};
try {
  for (const name of wanted.length ? wanted : Object.keys(SCENARIOS)) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true, locale: "en-US" });
    const log = { console: [], dialogs: [] };
    try {
      results[name] = { ...(await SCENARIOS[name](context, log, browser)), log };
    } catch (error) {
      results[name] = { failure: String(error.stack || error), log };
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
