// Drives code-server in headless Chromium through "GLM: Set API Key" and
// "GLM: Edit Selection…" → diff editor → Accept → save. Run by test_vscode_e2e.py.
//
// Environment: URL, FILE (name to open), INSTRUCTION, EXPECTED (a line the accepted edit
// contains), API_KEY, optional phases (REJECT_*, DIFF_*, CHAT_*, HUNK_*), SHOTS (screenshot folder), PLAYWRIGHT (path of playwright-core),
// CHROMIUM (browser binary). Prints one line per step; exits 1 on failure after a screenshot.
"use strict";

const path = require("node:path");
const fs = require("node:fs");
const { env, log, openWorkbench, loadWorkbench, editorLines, chooseInQuickInput, openFile, saveFile } = require("./workbench.cjs");

const URL = env("URL");
const FILE = env("FILE");
const INSTRUCTION = env("INSTRUCTION");
const EXPECTED = env("EXPECTED");
const API_KEY = env("API_KEY");
const SHOTS = env("SHOTS");
let shot = 0;

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  return file;
}

/** Run a command through the palette. */
async function runCommand(page, title) {
  await chooseInQuickInput(page, "F1", `>${title}`, title);
}

async function answerInputBox(page, promptText, value) {
  const widget = page.locator(".quick-input-widget", { hasText: promptText });
  await widget.waitFor({ state: "visible", timeout: 15000 });
  const input = widget.locator("input").first();
  await input.fill(value);
  await page.keyboard.press("Enter");
  await widget.waitFor({ state: "hidden", timeout: 15000 });
}

/** A second proposal, rejected with the notification's button: nothing changes. */
async function reject(page) {
  await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+A");
  await runCommand(page, "GLM: Edit Selection…");
  await answerInputBox(page, "selected code", env("REJECT_INSTRUCTION"));
  const diffTab = page.locator(".tabs-container .tab", { hasText: "proposed by GLM" }).first();
  await diffTab.waitFor({ timeout: 60000 });
  const toast = page.locator(".notification-toast", { hasText: env("REJECT_SUMMARY") }).first();
  await toast.locator(".monaco-button", { hasText: "Reject" }).click({ timeout: 15000 });
  log("clicked Reject (notification button)");
  await diffTab.waitFor({ state: "detached", timeout: 15000 });
  const lines = await editorLines(page);
  if (lines.some((line) => line.includes(env("REJECT_NEW")))) throw new Error(`rejected text landed: ${lines}`);
  const dirty = await page.locator(".tabs-container .tab.dirty").count();
  if (dirty !== 0) throw new Error("the file became dirty after Reject");
  log(`after reject: ${JSON.stringify(lines)}`);
}

/** "GLM: Apply Diff" with a .diff file in the active editor, then File: Save All. */
async function applyDiff(page) {
  await openFile(page, env("DIFF_FILE"));
  await runCommand(page, "GLM: Apply Diff");
  await page.locator(".notification-toast", { hasText: "applied the diff from the editor" }).waitFor({ timeout: 15000 });
  log("GLM: Apply Diff applied the diff from the editor");
  const target = env("DIFF_TARGET");
  await openFile(page, target);
  await page.locator(".editor-group-container .monaco-editor .view-line", { hasText: env("DIFF_EXPECTED") }).first().waitFor({ timeout: 15000 });
  await page.locator(`.tabs-container .tab.dirty:has-text("${target}")`).waitFor({ timeout: 5000 });
  await saveFile(page, target, ".editor-group-container .monaco-editor .view-lines");
  log(`${target} changed and saved: ${JSON.stringify(await editorLines(page))}`);
}

/** "GLM: Chat": two questions in one session, the answers rendered in the webview. */
async function chat(page) {
  await runCommand(page, "GLM: Chat");
  const view = page.frameLocator("iframe.webview").frameLocator("#active-frame");
  const input = view.locator("textarea#input");
  await input.waitFor({ timeout: 30000 });
  log("chat panel open");
  await input.fill(env("CHAT_1"));
  await input.press("Enter");
  const first = view.locator(".msg.assistant").nth(0);
  await first.locator(".content strong", { hasText: env("CHAT_1_BOLD") }).waitFor({ timeout: 30000 });
  await first.locator(".pending").waitFor({ state: "detached", timeout: 15000 });
  await first.locator(".tool", { hasText: env("CHAT_1_TOOL") }).waitFor({ timeout: 5000 });
  const details = first.locator("details.reasoning");
  if (await details.evaluate((d) => d.open)) throw new Error("the reasoning should start collapsed");
  await first.locator("pre code", { hasText: env("CHAT_1_CODE") }).waitFor({ timeout: 5000 });
  log(`chat answer 1: ${JSON.stringify(await first.innerText())}`);
  await input.fill(env("CHAT_2"));
  await input.press("Enter");
  const second = view.locator(".msg.assistant").nth(1);
  await second.locator(".content", { hasText: env("CHAT_2_ANSWER") }).waitFor({ timeout: 30000 });
  await second.locator(".pending").waitFor({ state: "detached", timeout: 15000 });
  await screenshot(page, "chat");
  log(`chat answer 2: ${JSON.stringify(await second.innerText())}`);

  await runCommand(page, "GLM: Show Usage");
  const usage = page.locator(".notification-toast", { hasText: "GLM usage this session" }).first();
  await usage.waitFor({ timeout: 15000 });
  log(`usage: ${(await usage.innerText()).replace(/\s*\n\s*/g, " | ")}`);
  const status = page.locator(".statusbar-item", { hasText: "GLM $" }).first();
  await status.waitFor({ timeout: 15000 });
  log(`status bar: ${(await status.innerText()).trim()}`);
}

/** A two-hunk proposal: accept the hunk under the cursor, revise with feedback, accept the
 * revised preview, save. */
async function hunks(page) {
  await openFile(page, env("HUNK_FILE"));
  await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+A");
  await runCommand(page, "GLM: Edit Selection…");
  await answerInputBox(page, "selected code", env("HUNK_INSTRUCTION"));
  const diffTab = page.locator(".tabs-container .tab", { hasText: "proposed by GLM" }).first();
  await diffTab.waitFor({ timeout: 60000 });
  const first = page.locator(".monaco-diff-editor .editor.modified .view-line", { hasText: env("HUNK_FIRST") }).first();
  await first.waitFor({ timeout: 15000 });
  await first.click();
  await screenshot(page, "hunks");
  await runCommand(page, "GLM: Accept Hunk Under Cursor");
  await page.locator(".statusbar-item", { hasText: "hunk 1 of 2 accepted" }).first().waitFor({ timeout: 15000 });
  log("accepted hunk 1 of 2 (the hunk under the cursor)");
  await runCommand(page, "GLM: Revise…");
  await answerInputBox(page, "What should GLM change", env("HUNK_FEEDBACK"));
  log(`revise sent: ${env("HUNK_FEEDBACK")}`);
  const revised = page.locator(".monaco-diff-editor .editor.modified .view-line", { hasText: env("HUNK_REVISED") }).first();
  await revised.waitFor({ timeout: 60000 });
  await screenshot(page, "revised");
  log("revised preview open");
  const toast = page.locator(".notification-toast", { hasText: env("HUNK_SUMMARY") }).first();
  await toast.locator(".monaco-button", { hasText: "Accept" }).click({ timeout: 15000 });
  log("clicked Accept on the revised preview");
  await page.locator(".tabs-container .tab", { hasText: "proposed by GLM" }).first().waitFor({ state: "detached", timeout: 15000 });
  const file = env("HUNK_FILE");
  await page.locator(`.tabs-container .tab.active:has-text("${file}")`).first().waitFor({ timeout: 15000 });
  // The file may be open in two editor groups (beside the diff it came from): one document,
  // saved from its active editor.
  await saveFile(page, file);
  log(`${file} saved: ${JSON.stringify(await editorLines(page))}`);
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const { browser, page } = await openWorkbench();
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/open-vsx|authentication provider|ERR_NAME_NOT_RESOLVED|Failed to load resource/.test(msg.text())) {
      log(`browser console: ${msg.text().slice(0, 300)}`);
    }
  });
  try {
    await loadWorkbench(page, URL);

    const status = page.locator(".statusbar-item", { hasText: "GLM" }).first();
    await status.waitFor({ state: "visible", timeout: 60000 });
    log(`extension active: status bar shows "${(await status.innerText()).trim()}"`);

    await runCommand(page, "GLM: Set API Key");
    await answerInputBox(page, "secret storage", API_KEY);
    await page.locator(".notification-toast", { hasText: "API key is stored" }).waitFor({ timeout: 15000 });
    log("API key stored through GLM: Set API Key");

    await openFile(page, FILE);
    await page.locator(".editor-group-container .monaco-editor .view-line").first().waitFor({ timeout: 15000 });
    log(`editor open: ${JSON.stringify(await editorLines(page))}`);

    // Select lines 4-5 (the function): from the start of line 4 to the start of line 6.
    await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+Home");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+ArrowDown");
    await page.keyboard.press("Shift+ArrowDown");
    await page.locator(".editor-group-container .monaco-editor .selected-text").first().waitFor({ timeout: 5000 });
    await screenshot(page, "selection");
    log("selected lines 4-5");

    await runCommand(page, "GLM: Edit Selection…");
    await answerInputBox(page, "selected code", INSTRUCTION);
    log(`instruction sent: ${INSTRUCTION}`);

    const diffTab = page.locator(".tabs-container .tab", { hasText: "proposed by GLM" }).first();
    await diffTab.waitFor({ timeout: 60000 });
    await page.locator(".editor-group-container .monaco-diff-editor").first().waitFor({ timeout: 15000 });
    await page.locator(".monaco-diff-editor .editor.modified .view-line", { hasText: EXPECTED.trim() }).first().waitFor({ timeout: 15000 });
    await screenshot(page, "diff");
    log(`diff editor open: ${(await diffTab.innerText()).trim()}`);

    const accept = page.locator('.editor-actions .action-label[aria-label*="Accept Proposed Edit"]').first();
    try {
      await accept.waitFor({ state: "visible", timeout: 10000 });
      await accept.click();
      log("clicked Accept (editor title button)");
    } catch {
      const button = page.locator(".notification-toast", { hasText: "GLM proposes" }).locator(".monaco-button", { hasText: "Accept" }).first();
      await button.click({ timeout: 10000 });
      log("clicked Accept (notification button)");
    }

    await diffTab.waitFor({ state: "detached", timeout: 15000 });
    const fileTab = page.locator(`.tabs-container .tab:has-text("${FILE}")`).first();
    await page.waitForFunction(
      (expected) =>
        [...document.querySelectorAll(".editor-group-container .monaco-editor .view-line")].some((n) =>
          n.textContent.replace(/\u00a0/g, " ").includes(expected),
        ),
      EXPECTED.trim(),
      { timeout: 15000 },
    );
    log(`edit applied in the editor: ${JSON.stringify(await editorLines(page))}`);

    await saveFile(page, FILE, ".editor-group-container .monaco-editor .view-lines");
    await fileTab.waitFor({ timeout: 5000 });
    await screenshot(page, "saved");
    log("saved (Ctrl+S)");
    console.log("RESULT EDIT PASS");

    if (process.env.REJECT_INSTRUCTION) {
      await reject(page);
      console.log("RESULT REJECT PASS");
    }

    if (process.env.DIFF_FILE) {
      await applyDiff(page);
      console.log("RESULT DIFF PASS");
    }

    if (process.env.CHAT_1) {
      await chat(page);
      console.log("RESULT CHAT PASS");
    }

    if (process.env.HUNK_FILE) {
      await hunks(page);
      console.log("RESULT HUNKS PASS");
    }
  } catch (error) {
    const file = await screenshot(page, "failure");
    log(`FAILED: ${error && error.stack ? error.stack : error}`);
    log(`screenshot: ${file}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
