// Drives code-server in headless Chromium through inline completion: with
// glm.completion.enabled on, typing in a file shows GLM's suggestion as ghost text, Tab
// accepts it, and the status bar item (which shows the cost this hour) turns completion
// off when clicked. Run by test_vscode_e2e.py.
//
// Environment: URL, FILE (name to open), TYPED (text typed at the end of the file),
// SUGGESTION (the ghost text expected), SHOTS, PLAYWRIGHT, CHROMIUM. Prints one line per
// step and "RESULT COMPLETION PASS"; exits 1 on failure after a screenshot.
"use strict";

const path = require("node:path");
const fs = require("node:fs");
const { env, log, openWorkbench, loadWorkbench, editorLines, openFile } = require("./workbench.cjs");

const URL = env("URL");
const FILE = env("FILE");
const TYPED = env("TYPED");
const SUGGESTION = env("SUGGESTION");
const SHOTS = env("SHOTS");

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `completion-${name}.png`) }).catch(() => {});
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const { browser, page } = await openWorkbench();
  try {
    await loadWorkbench(page, URL);
    const item = page.locator(".statusbar-item", { hasText: "GLM completion" }).first();
    await item.waitFor({ state: "visible", timeout: 60000 });
    log(`status item: "${(await item.innerText()).trim()}"`);

    await openFile(page, FILE);
    await page.locator(".editor-group-container .monaco-editor .view-line").first().waitFor({ timeout: 15000 });
    await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+End"); // the empty last line
    await page.waitForTimeout(1500); // the server registered inline completion by now
    // one input event: keystrokes that a loaded machine delays past the debounce would each
    // ask for a completion, and the scripted suggestion would go to a half-typed line
    await page.keyboard.insertText(TYPED);
    log(`typed ${JSON.stringify(TYPED)}`);

    const ghost = page.locator(".editor-group-container .monaco-editor .ghost-text-decoration, .editor-group-container .monaco-editor .ghost-text").first();
    await ghost.waitFor({ state: "visible", timeout: 30000 });
    await page.waitForTimeout(300); // the ghost text is drawn in colored pieces
    const shown = (
      await page.$$eval(".editor-group-container .monaco-editor .ghost-text-decoration", (nodes) => nodes.map((n) => n.textContent).join(""))
    ).replace(/\u00a0/g, " ");
    await screenshot(page, "ghost");
    log(`ghost text: ${JSON.stringify(shown)}`);
    if (shown !== SUGGESTION) throw new Error(`the ghost text is ${JSON.stringify(shown)}, not ${JSON.stringify(SUGGESTION)}`);

    await page.keyboard.press("Tab");
    const want = TYPED + SUGGESTION;
    const deadline = Date.now() + 10000;
    let lines = await editorLines(page);
    while (!lines.includes(want) && Date.now() < deadline) {
      await page.waitForTimeout(100);
      lines = await editorLines(page);
    }
    await screenshot(page, "accepted");
    if (!lines.includes(want)) throw new Error(`Tab did not insert the suggestion: ${JSON.stringify(lines)}`);
    log(`after Tab: ${JSON.stringify(lines)}`);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+S");
    await page.locator(`.tabs-container .tab.dirty:has-text("${FILE}")`).waitFor({ state: "detached", timeout: 15000 });

    const costly = page.locator(".statusbar-item", { hasText: /GLM completion \$/ }).first();
    await costly.waitFor({ state: "visible", timeout: 15000 });
    log(`status item after the suggestion: "${(await costly.innerText()).trim()}"`);
    await costly.click();
    await page.locator(".statusbar-item", { hasText: /GLM completion\s*$/ }).first().waitFor({ timeout: 15000 });
    log("clicked the status item: completion is off");
    console.log("RESULT COMPLETION PASS");
  } catch (error) {
    await screenshot(page, "failure");
    log(`FAILED: ${error && error.stack ? error.stack : error}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
