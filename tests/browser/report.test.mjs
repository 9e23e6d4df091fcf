// End-to-end tests of `crosscheck report --format html` in headless Chromium (Debian's
// package), driven by playwright-core. Run through tests/browser/run.sh, which installs both.
//
// Environment: CROSSCHECK (the binary), CHROMIUM (default /usr/bin/chromium), SCREENSHOTS (a
// folder: when set, the seeds report's summary and pair view are saved there as PNG).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const binary = process.env.CROSSCHECK ?? join(root, "target/release/crosscheck");
const work = mkdtempSync(join(tmpdir(), "crosscheck-browser-"));

function report(input, name) {
  const output = join(work, name);
  execFileSync(binary, ["report", input, "--format", "html", "-o", output], { stdio: "inherit" });
  return pathToFileURL(output).href;
}

// A story and two copies of it, one with markup and script in its text: the page must show it
// as text and run none of it.
const story = [
  "Flood waters rose across the northern valley on Tuesday, forcing more than 2,000 residents",
  "from their homes as rivers broke their banks in three districts, officials said.",
  "",
  "The regional emergency service said 14 shelters had opened in schools and sports halls,",
  "and that volunteers were handing out blankets, water and hot meals through the night.",
  "",
  "Rainfall over the weekend reached 180 millimetres in some places, about twice the usual",
  "amount for the whole month, according to the national weather office in the capital.",
  "",
  "Farmers said the harvest in the lowland fields was lost, and the agriculture ministry",
  "promised compensation once the water receded and inspectors could assess the damage.",
].join("\n");
const hostile = story.replace(
  "officials said.",
  `officials said. <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2">`,
);
const cut = story.split("\n\n").slice(0, 3).join("\n\n");

let browser;
let seedsUrl;
let hostileUrl;

// One hook: the reports first (a failure there stops before a browser is started), then the
// browser, which `after` always closes.
before(async () => {
  seedsUrl = report(join(root, "fixtures/seeds"), "seeds.html");
  const dir = join(work, "hostile");
  mkdirSync(dir);
  writeFileSync(join(dir, "a.txt"), story);
  writeFileSync(join(dir, "b.txt"), hostile);
  writeFileSync(join(dir, "c.txt"), cut);
  hostileUrl = report(dir, "hostile.html");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A page that records console errors, page errors, dialogs and any network request. */
async function open(url, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  const requests = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on("request", (request) => {
    if (request.url() !== url.split("#")[0]) requests.push(request.url());
  });
  await page.goto(url);
  return { page, problems, requests };
}

/** Waits for a pair's rows: the view is laid out on the hashchange event a click sets off, which
 * fires after the click returns. */
async function laidOut(page) {
  await page.locator("#view .row").first().waitFor({ state: "attached", timeout: 10000 });
}

/** The page's own address. `page.url()` is Playwright's copy, updated from a navigation event
 * that can arrive after the next step has run; a fragment set by a key handler races it. */
async function address(page) {
  return page.evaluate(() => location.href);
}

test("seeds: the 002/004 pair shows hundreds against thousands, and a conflict link lands on its line", async () => {
  const { page, problems, requests } = await open(seedsUrl);

  // Summary counts and lazy views: nothing is laid out before a pair is opened.
  const counts = await page.$$eval(".counts div", (divs) =>
    Object.fromEntries(divs.map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])));
  assert.equal(counts["Documents"], "5");
  assert.equal(counts["Duplicate pairs"], "1");
  assert.equal(counts["Clusters"], "1");
  assert.ok(Number(counts["Conflicts"]) >= 2, `conflicts: ${counts["Conflicts"]}`);
  assert.equal(await page.locator(".row").count(), 0, "no pair view is built up front");
  if (process.env.SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.SCREENSHOTS, "report-summary.png"), fullPage: true });
  }

  // Click the pair.
  await page.click('#pairs-table a:text-matches("^002_")');
  await laidOut(page);
  assert.match(decodeURIComponent(new URL(await address(page)).hash), /^#pair=002_[0-9a-f]+\.txt&004_[0-9a-f]+\.txt$/);
  assert.equal(await page.isVisible("#view"), true);
  assert.equal(await page.isVisible("#overview"), false);

  // "hundreds" is marked as changed on 002's side, "thousands" on 004's, in the same row.
  const soldiers = page.locator(".row", { has: page.locator(".text.a del", { hasText: "hundreds" }) })
    .filter({ hasText: "soldiers" });
  assert.equal(await soldiers.count(), 1, "one row about soldiers marks hundreds on side A");
  assert.match(await soldiers.locator(".text.b ins").allTextContents().then((t) => t.join(" ")), /thousands/);
  assert.match(await soldiers.locator(".text.a").textContent(), /soldiers/);
  const deleted = await soldiers.locator(".text.a del", { hasText: "hundreds" }).first();
  const colour = await deleted.evaluate((node) => getComputedStyle(node).backgroundColor);
  assert.notEqual(colour, "rgba(0, 0, 0, 0)", "the changed word has a highlight");

  // Page chrome is collapsed, with original line numbers.
  const chrome = page.locator(".row.chrome details").first();
  assert.equal(await chrome.evaluate((d) => d.open), false);
  assert.match(await page.locator(".row.chrome summary").first().textContent(), /lines? of page chrome/);
  if (process.env.SCREENSHOTS) {
    await soldiers.evaluate((row) => row.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: join(process.env.SCREENSHOTS, "report-pair.png") });
  }

  // Back to the list with Escape, then follow a conflict's link to its line on side B.
  await page.keyboard.press("Escape");
  assert.equal(new URL(await address(page)).hash, "#pairs");
  // The list comes back on the hashchange event, which fires after the key press returns.
  await page.locator("#overview").waitFor({ state: "visible", timeout: 10000 });
  const link = page.locator("#conflicts-table tbody tr").first().locator("td:nth-child(3) a");
  const [doc, line] = (await link.textContent()).split(":");
  const said = await page.locator("#conflicts-table tbody tr").first().locator("td:nth-child(4) mark").textContent();
  await link.click();
  assert.match(doc, /^004_/);
  const target = page.locator(".row.target");
  // The view is laid out on the hashchange event, which fires after the click returns.
  await target.first().waitFor({ state: "attached", timeout: 10000 });
  assert.equal(await target.count(), 1, "the conflict's row is marked");
  const [from, to] = (await target.getAttribute("data-b")).split(" ").map(Number);
  assert.ok(from <= Number(line) && Number(line) <= to, `line ${line} in ${from}..${to}`);
  assert.ok((await target.locator(".text.b").textContent()).includes(said), `row shows ${said}`);
  assert.equal(await target.evaluate((row) => {
    const box = row.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }), true, "the conflict's row is scrolled into view");
  assert.equal(await page.locator(".row.target .note, .row.target + .note").count(), 1, "the disagreeing figures are named");

  // The same link works when the page is opened at it (stable fragment).
  const direct = await open(await address(page));
  assert.equal(await direct.page.locator(".row.target").count(), 1);
  await direct.page.close();

  // Keys: j moves to a differing row.
  await page.keyboard.press("j");
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains("row")), true);

  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [], "the page fetches nothing");
  await page.close();
});

test("tables sort and filter", async () => {
  const { page, problems } = await open(hostileUrl);
  const similarities = () => page.$$eval("#pairs-table tbody tr", (rows) =>
    rows.filter((r) => !r.hidden).map((r) => Number(r.cells[3].textContent)));
  assert.equal((await similarities()).length, 3);
  await page.click('#pairs-table th button:text-is("Similarity")');
  const ascending = await similarities();
  assert.deepEqual(ascending, [...ascending].sort((x, y) => x - y));
  assert.equal(await page.getAttribute('#pairs-table th:nth-child(4)', "aria-sort"), "ascending");
  await page.click('#pairs-table th button:text-is("Similarity")');
  const descending = await similarities();
  assert.deepEqual(descending, [...ascending].reverse());

  await page.fill('input[data-filter="pairs-table"]', "c.txt");
  assert.equal((await similarities()).length, 2);
  assert.match(await page.textContent('[data-shown="pairs-table"]'), /2 of 3 shown/);
  await page.fill('input[data-filter="pairs-table"]', "");
  assert.equal((await similarities()).length, 3);
  assert.deepEqual(problems, []);
  await page.close();
});

test("text from documents is shown as text and runs nothing", async () => {
  const html = readFileSync(new URL(hostileUrl), "utf8");
  assert.ok(!html.includes("<script>window.__pwned"), "the payload is not in the markup as a tag");
  assert.ok(!html.includes("<img src=x"), "the payload is not in the markup as a tag");

  const { page, problems } = await open(hostileUrl);
  await page.click('#pairs-table a:text-is("b.txt") >> nth=0');
  await laidOut(page);
  const shown = await page.locator("#view").textContent();
  assert.ok(shown.includes("<script>window.__pwned = 1</script>"), "the script shows as text");
  assert.ok(shown.includes('onerror="window.__pwned = 2"'), "the attribute shows as text");
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("#view img, #view script").count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test("phone width: nothing overflows sideways and the sides stack", async () => {
  const { page, problems } = await open(seedsUrl, { width: 390, height: 844 });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok((await overflow()) <= 0, "summary fits");
  await page.click('#pairs-table a:text-matches("^004_")');
  await laidOut(page);
  assert.ok((await overflow()) <= 0, "pair view fits");
  const boxes = await page.locator(".row.changed").first().evaluate((row) => {
    const [a, b] = [row.querySelector(".text.a"), row.querySelector(".text.b")];
    return [a.getBoundingClientRect().top, b.getBoundingClientRect().top];
  });
  assert.ok(boxes[1] > boxes[0], "B is below A");
  assert.deepEqual(problems, []);
  await page.close();
});
