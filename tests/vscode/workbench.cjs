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

/** Open the quick input with `key`, type `text` into it and choose the row showing `shown`.
 * The widget closes by itself when something takes the focus just as it opens (an editor or
 * webview the previous step opened, a notification), so it is opened again, up to three times.
 * `fill`, not keyboard.type: a webview that kept the focus would take the keys. */
async function chooseInQuickInput(page, key, text, shown) {
  const input = page.locator(".quick-input-widget input");
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: shown }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press(key);
      await input.waitFor({ state: "visible", timeout: 15000 });
      await input.fill(text, { timeout: 5000 });
      await row.waitFor({ state: "visible", timeout: 15000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      log(`quick input closed before "${shown}" was chosen; opening it again`);
      await page.keyboard.press("Escape");
      await page.waitForTimeout(500);
    }
  }
  await page.keyboard.press("Enter");
}

/** Open a file by name with Quick Open. */
async function openFile(page, name) {
  await chooseInQuickInput(page, "Control+P", name, name);
  await page.locator(`.tabs-container .tab.active:has-text("${name}")`).waitFor({ timeout: 15000 });
}

/** Save the file `name` from an editor (`editor`: its lines, to click for the focus) with
 * Ctrl+S, until no tab of it is dirty. The editor an Accept or Apply just opened can take the
 * focus back between the click and the key, and the key goes nowhere, so it is tried again. */
async function saveFile(page, name, editor = ".editor-group-container.active .monaco-editor .view-lines") {
  for (let attempt = 1; ; attempt++) {
    await page.locator(editor).first().click();
    await page.keyboard.press("Control+S");
    try {
      await page.waitForFunction(
        (file) => ![...document.querySelectorAll(".tabs-container .tab.dirty")].some((t) => t.textContent.includes(file)),
        name,
        { timeout: 5000 },
      );
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      log(`${name} still unsaved after Ctrl+S; saving again`);
    }
  }
}

module.exports = { env, log, openWorkbench, loadWorkbench, editorLines, chooseInQuickInput, openFile, saveFile };
