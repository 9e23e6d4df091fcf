// How fast a large HTML report opens and shows a pair in headless Chromium; figures for
// BENCHMARKS.md, not a test. Usage: node measure.mjs REPORT.html
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
await page.goto(pathToFileURL(resolve(process.argv[2])).href, { waitUntil: "load" });
const load = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
const pairs = await page.locator("#pairs-table tbody tr").count();
// Open every 50th pair through its link; time from click to the view being laid out.
const times = [];
for (let i = 0; i < pairs; i += Math.max(1, Math.floor(pairs / 20))) {
  const ms = await page.evaluate(async (i) => {
    const link = document.querySelectorAll("#pairs-table tbody tr")[i].querySelector("a");
    const start = performance.now();
    location.hash = link.getAttribute("href");
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    document.querySelector("#view").getBoundingClientRect();
    return performance.now() - start;
  }, i);
  times.push(ms);
  await page.evaluate(() => { location.hash = "#pairs"; });
}
const scroll = await page.evaluate(async () => {
  const start = performance.now();
  for (let y = 0; y < document.body.scrollHeight; y += 800) {
    window.scrollTo(0, y);
    await new Promise((r) => requestAnimationFrame(r));
  }
  return performance.now() - start;
});
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  pairs, load_ms: Math.round(load), open_pair_ms_median: Math.round(times[times.length >> 1]),
  open_pair_ms_max: Math.round(times[times.length - 1]), scroll_whole_page_ms: Math.round(scroll),
  frames_per_screen_ms: Math.round(scroll / Math.ceil((await page.evaluate(() => document.body.scrollHeight)) / 800)),
  errors,
}));
await browser.close();
