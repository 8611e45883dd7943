/** The commands the extension contributes: each one asks the user what it needs, then runs
 * a glm.* server command through the client. */

import * as vscode from "vscode";
import { ChatPanel, type ChatHost } from "./chatPanel";
import type { GlmClient } from "./client";
import { pickDiff } from "./diffsource";
import type { PreviewController } from "./previewController";
import type { StatusController } from "./status";
import { type UsageResult, usageDetails, usageMessage } from "./usage";

export const STATUS_CLICK = "glmlsp.statusClick";

/** The file editor the user works in; the chat panel or an output view may have focus. */
export class FileEditors implements vscode.Disposable {
  private last: vscode.TextEditor | undefined;
  private readonly watch: vscode.Disposable;

  constructor() {
    this.remember(vscode.window.activeTextEditor);
    this.watch = vscode.window.onDidChangeActiveTextEditor((editor) => {
      this.remember(editor);
    });
  }

  dispose(): void {
    this.watch.dispose();
  }

  live(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active?.document.uri.scheme === "file") {
      return active;
    }
    const last = this.last;
    return last && !last.document.isClosed ? last : undefined;
  }

  private remember(editor: vscode.TextEditor | undefined): void {
    if (editor?.document.uri.scheme === "file") {
      this.last = editor;
    }
  }
}

export interface Parts {
  client: GlmClient;
  previews: PreviewController;
  status: StatusController;
  editors: FileEditors;
}

export function registerCommands(context: vscode.ExtensionContext, parts: Parts): void {
  const { client, previews, status } = parts;
  const register = (id: string, run: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await run(...args);
        } catch (error) {
          client.report(error);
        }
      }),
    );
  };
  register("glmlsp.editSelection", () => editSelection(parts));
  register("glmlsp.chat", () => ChatPanel.show(chatHost(parts)));
  register("glmlsp.applyDiff", () => applyDiff(client));
  register("glmlsp.cancel", () => cancel(client));
  register("glmlsp.showUsage", () => showUsage(parts));
  register("glmlsp.setApiKey", () => setApiKey(client));
  register("glmlsp.restartServer", () => client.restart());
  register("glmlsp.acceptPreview", (uri) => previews.accept(previews.tokenFor(uri)));
  register("glmlsp.rejectPreview", (uri) => previews.reject(previews.tokenFor(uri)));
  register("glmlsp.acceptHunk", () => previews.decideHunk(true));
  register("glmlsp.rejectHunk", () => previews.decideHunk(false));
  register("glmlsp.revisePreview", (uri) => previews.revise(previews.tokenFor(uri)));
  register(STATUS_CLICK, () => (status.running ? cancel(client) : showUsage(parts)));
}

function chatHost({ client, editors }: Parts): ChatHost {
  return {
    execute: <T>(command: string, arg: Record<string, unknown>) => client.execute<T>(command, arg),
    lastFileEditor: () => editors.live(),
    protocolUri: (uri: vscode.Uri) => client.protocolUri(uri),
    protocolRange: (range: vscode.Range) => client.protocolRange(range),
  };
}

async function editSelection({ client, editors }: Parts): Promise<void> {
  const editor = editors.live();
  if (!editor) {
    void vscode.window.showWarningMessage("GLM: open a file (and select what to change) first.");
    return;
  }
  const instruction = await vscode.window.showInputBox({
    title: "GLM: Edit Selection",
    prompt: editor.selection.isEmpty
      ? "What should GLM change in this file?"
      : "What should GLM do with the selected code?",
    placeHolder: "e.g. add type hints",
    ignoreFocusOut: true,
  });
  if (!instruction?.trim()) {
    return;
  }
  await client.ready();
  const arg: Record<string, unknown> = {
    uri: client.protocolUri(editor.document.uri),
    instruction: instruction.trim(),
    preview: true,
    show: false,
  };
  if (!editor.selection.isEmpty) {
    arg.range = client.protocolRange(editor.selection);
  }
  await client.execute<{ task: string }>("glm.edit", arg);
}

/** The clipboard's text, or "" when the browser does not let us read it within 3 s. */
async function readClipboard(): Promise<string> {
  const timeout = new Promise<string>((resolve) => {
    setTimeout(() => {
      resolve("");
    }, 3000);
  });
  return Promise.race([vscode.env.clipboard.readText().then(undefined, () => ""), timeout]);
}

async function applyDiff(client: GlmClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const picked =
    pickDiff({
      selection: editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined,
      document: editor?.document.getText(),
    }) ?? pickDiff({ clipboard: await readClipboard() }); // read only when needed: browsers may ask
  if (!picked) {
    void vscode.window.showWarningMessage(
      "GLM: no unified diff found in the selection, the active editor or the clipboard.",
    );
    return;
  }
  const result = await client.execute<{ applied: boolean }>("glm.applyDiff", { diff: picked.diff });
  if (result.applied) {
    void vscode.window.showInformationMessage(`GLM: applied the diff from the ${picked.from}.`);
  }
}

async function cancel(client: GlmClient): Promise<void> {
  const result = await client.execute<{ cancelled: string[] }>("glm.cancel", {});
  const n = result.cancelled.length;
  void vscode.window.showInformationMessage(
    n === 0 ? "GLM: nothing is running." : `GLM: cancelled ${n === 1 ? "1 task" : `${n} tasks`}.`,
  );
}

async function showUsage({ client, status }: Parts): Promise<void> {
  const result = await client.execute<UsageResult>("glm.usage", {});
  status.showUsage(result);
  const details = usageDetails(result);
  const choice = await vscode.window.showInformationMessage(
    usageMessage(result),
    ...(details.length > 0 ? ["Details"] : []),
  );
  if (choice === "Details") {
    client.output.appendLine("GLM usage by task:");
    for (const line of details) {
      client.output.appendLine(`  ${line}`);
    }
    client.output.show(true);
  }
}

async function setApiKey(client: GlmClient): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: "GLM: Set API Key",
    prompt: "Your provider's API key. It is kept in VS Code's secret storage, never in settings. Leave empty to remove it.",
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) {
    return;
  }
  await client.storeKey(value.trim());
  void vscode.window.showInformationMessage(
    value.trim() ? "GLM: the API key is stored in secret storage." : "GLM: the API key was removed.",
  );
  // secrets.onDidChange tells the server to pull its settings again.
}
