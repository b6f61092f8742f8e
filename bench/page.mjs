// Browser half of bench/page.py: loads each case N times in headless Chromium (a new browser
// context each time, so nothing is cached) and reports the time from navigation to the first
// drawn chart (the page's `wikiviews:ready` performance mark); then, as the baseline, the
// same API requests made by a script that only fetches and parses the JSON.
//
//   node bench/page.mjs CASES_JSON   (prints JSON: {case: {cold, warm, baseline: [ms…]}})
import { chromium } from "playwright-core";

const { base, loads, cases } = JSON.parse(process.argv[2]);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const SETTLED = () => ["ready", "error", "empty"].includes(document.body.dataset.state);

/**
 * One load of `path` in a new browser context: cold (nothing cached), or warm (the page's
 * static files cached by an earlier visit to another view, the data not).
 */
async function pageLoad(browser, path, warm = false) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  if (warm) {
    await page.goto(`${base}/massviews`);
    await page.waitForFunction(SETTLED);
  }
  await page.goto(base + path);
  await page.waitForFunction(SETTLED);
  const [state, ms, requests] = await page.evaluate(() => [
    document.body.dataset.state,
    performance.getEntriesByName(`wikiviews:${document.body.dataset.state}`)[0].startTime,
    [
      // The answer the shell inlined counts as a request the page made.
      ...(document.getElementById("wv-first") ? [location.origin + JSON.parse(document.getElementById("wv-first").textContent).url] : []),
      ...performance.getEntriesByType("resource").filter((r) => r.name.includes("/api/")).map((r) => r.name),
    ],
  ]);
  await context.close();
  if (state !== "ready") throw new Error(`${path} ended in state ${state}`);
  return { ms, requests };
}

async function baseline(urls) {
  const started = performance.now();
  await Promise.all(urls.map(async (url) => (await fetch(url, { headers: { "User-Agent": "wikiviews-bench" } })).json()));
  return performance.now() - started;
}

const browser = await chromium.launch({ executablePath: process.env.WIKIVIEWS_CHROMIUM || "/usr/bin/chromium", args: ARGS });
const results = {};
try {
  for (const [name, path] of Object.entries(cases)) {
    const first = await pageLoad(browser, path); // warm-up: server caches, the OS page cache
    const cold = [];
    const warm = [];
    const plain = [];
    for (let i = 0; i < loads; i++) {
      cold.push((await pageLoad(browser, path)).ms);
      warm.push((await pageLoad(browser, path, true)).ms);
      plain.push(await baseline(first.requests));
    }
    results[name] = { cold, warm, baseline: plain, requests: first.requests };
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
