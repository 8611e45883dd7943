// What the browser flows share: their environment, a timed log, and the code-server
// workbench in headless Chromium (launching it, opening a file, reading the editor).
"use strict";

const { chromium } = require(process.env.PLAYWRIGHT);

const started = Date.now();

/** A required environment variable. */
function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** One line per step, with the seconds since the flow started. */
function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

/** Headless Chromium with one page, sized as the screenshots expect. */
async function openWorkbench() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  return { browser, page };
}

/** Go to the workbench and wait for it to load. */
async function loadWorkbench(page, url) {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60000 });
  await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
  log("workbench loaded");
}

/** Text of the visible editor, lines in order (Monaco renders spaces as U+00A0). */
async function editorLines(page) {
  return page.$$eval(".editor-group-container .monaco-editor .view-line", (nodes) =>
    nodes
      .map((n) => ({ top: parseFloat(n.style.top || "0"), text: n.textContent.replace(/\u00a0/g, " ") }))
      .sort((a, b) => a.top - b.top)
      .map((n) => n.text),
  );
}

/** Open a file by name with Quick Open. */
async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 15000 });
  await input.fill(name); // not keyboard.type: a webview that kept the focus would take the keys
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: name }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press("Enter");
  await page.locator(`.tabs-container .tab.active:has-text("${name}")`).waitFor({ timeout: 15000 });
}

module.exports = { env, log, openWorkbench, loadWorkbench, editorLines, openFile };
