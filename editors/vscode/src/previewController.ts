/** Proposed edits in the editor: each `$/glm/preview` opens as diff editors with Accept and
 * Reject (a notification and editor title buttons); the decision goes back to the server. */

import * as vscode from "vscode";
import type { GlmClient } from "./client";
import {
  diffTitle,
  hunkAt,
  PREVIEW_SCHEME,
  type PreviewHunk,
  type PreviewParams,
  PreviewStore,
  parsePreviewPath,
  previewFiles,
  previewMessage,
  previewPath,
} from "./preview";

const PENDING_CONTEXT = "glm.previewPending";

export class PreviewController implements vscode.Disposable {
  private readonly previews = new PreviewStore();
  private readonly asking = new Set<string>(); // previews whose Accept/Reject notification is up
  private readonly taken = new Map<string, Set<string>>(); // hunk ids accepted, by token
  private readonly provider: vscode.Disposable;

  constructor(private readonly client: GlmClient) {
    const previews = this.previews;
    this.provider = vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
      provideTextDocumentContent(uri: vscode.Uri): string {
        const ref = parsePreviewPath(uri.path);
        return (ref && previews.content(ref)) ?? "";
      },
    });
  }

  dispose(): void {
    this.provider.dispose();
  }

  /** The server stopped: what it held for acceptance is gone. */
  clear(): void {
    this.previews.clear();
    this.taken.clear();
    void vscode.commands.executeCommand("setContext", PENDING_CONTEXT, false);
  }

  async show(params: PreviewParams): Promise<void> {
    this.previews.add(params);
    await vscode.commands.executeCommand("setContext", PENDING_CONTEXT, true);
    await this.openDiffs(params);
    this.asking.add(params.token);
    const choice = await vscode.window
      .showInformationMessage(previewMessage(params), "Accept", "Reject", "Revise…")
      .then((picked) => {
        this.asking.delete(params.token);
        return picked;
      });
    const decisions: Record<string, (token: string) => Promise<void>> = {
      Accept: (token) => this.accept(token),
      Reject: (token) => this.reject(token),
      "Revise…": (token) => this.revise(token),
    };
    const decide = choice ? decisions[choice]?.(params.token) : undefined;
    await decide?.catch((error: unknown) => {
      this.client.report(error);
    });
  }

  /** The preview shown in the active editor (or passed by an editor title button), else the newest. */
  tokenFor(arg: unknown): string | undefined {
    const uris: vscode.Uri[] = [];
    if (arg instanceof vscode.Uri) {
      uris.push(arg);
    }
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff) {
      uris.push(input.modified, input.original);
    } else if (input instanceof vscode.TabInputText) {
      uris.push(input.uri);
    }
    for (const uri of uris) {
      const ref = uri.scheme === PREVIEW_SCHEME ? parsePreviewPath(uri.path) : undefined;
      if (ref && this.previews.get(ref.token)) {
        return ref.token;
      }
    }
    return this.previews.latest;
  }

  async accept(token: string | undefined): Promise<void> {
    const params = token ? this.previews.get(token) : undefined;
    if (!token || !params) {
      return; // already accepted or rejected (e.g. by the other button)
    }
    this.previews.remove(token);
    await this.settled(token);
    // After some hunks were taken, the rest: the whole edit is pinned to an older version.
    const taken = this.taken.get(token);
    const rest = taken ? (params.hunks ?? []).map((h) => h.id).filter((id) => !taken.has(id)) : undefined;
    const result = await this.client.execute<{ applied: boolean }>("glm.accept", rest ? { token, hunks: rest } : { token });
    if (result.applied) {
      const target = previewFiles(params).find((f) => f.new !== null);
      if (target) {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
        await vscode.window.showTextDocument(doc, { preview: false });
      }
    }
  }

  async reject(token: string | undefined): Promise<void> {
    if (!token || !this.previews.get(token)) {
      return;
    }
    this.previews.remove(token);
    await this.settled(token);
    await this.client.execute<{ rejected: boolean }>("glm.reject", { token });
  }

  /** Accept (or reject) only the hunk under the cursor of the active preview diff editor. */
  async decideHunk(accept: boolean): Promise<void> {
    const found = this.hunkUnderCursor();
    if (!found) {
      void vscode.window.showWarningMessage("GLM: put the cursor on a change in a GLM diff editor first.");
      return;
    }
    const { token, params, hunk } = found;
    const arg = { token, hunks: [hunk.id] };
    const total = (params.hunks ?? []).length;
    if (!accept) {
      await this.client.execute<{ rejected: boolean }>("glm.reject", arg);
      vscode.window.setStatusBarMessage(`GLM: hunk ${hunk.id} of ${String(total)} rejected`, 5000);
      return;
    }
    const result = await this.client.execute<{ applied: boolean }>("glm.accept", arg);
    if (!result.applied) {
      return;
    }
    const taken = this.taken.get(token) ?? new Set<string>();
    this.taken.set(token, taken.add(hunk.id));
    vscode.window.setStatusBarMessage(`GLM: hunk ${hunk.id} of ${String(total)} accepted`, 5000);
    if (taken.size >= total) {
      this.previews.remove(token);
      await this.settled(token);
    }
  }

  /** Send the user's feedback on a preview back to the model; a new preview follows. */
  async revise(token: string | undefined): Promise<void> {
    if (!token || !this.previews.get(token)) {
      return;
    }
    const feedback = await vscode.window.showInputBox({
      title: "GLM: Revise",
      prompt: "What should GLM change in its proposal?",
      ignoreFocusOut: true,
    });
    if (!feedback) {
      return;
    }
    this.previews.remove(token);
    await this.settled(token);
    const arg: Record<string, unknown> = { token, feedback, show: false };
    await this.client.execute<{ task: string }>("glm.revise", arg);
  }

  private hunkUnderCursor(): { token: string; params: PreviewParams; hunk: PreviewHunk } | undefined {
    const editor = vscode.window.activeTextEditor;
    const uri = editor?.document.uri;
    const ref = uri?.scheme === PREVIEW_SCHEME ? parsePreviewPath(uri.path) : undefined;
    const params = ref ? this.previews.get(ref.token) : undefined;
    if (!editor || !ref || !params) {
      return undefined;
    }
    const hunk = hunkAt(params, ref.index, editor.selection.active.line);
    return hunk ? { token: ref.token, params, hunk } : undefined;
  }

  private async openDiffs(params: PreviewParams): Promise<void> {
    const files = previewFiles(params);
    for (const [index, file] of files.entries()) {
      const side = (s: "old" | "new") =>
        vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: previewPath(params.token, s, index, file.path) });
      await vscode.commands.executeCommand("vscode.diff", side("old"), side("new"), diffTitle(file), {
        preview: false,
        preserveFocus: index > 0,
      });
    }
    if (files.length === 0) {
      const doc = await vscode.workspace.openTextDocument({ content: params.diff, language: "diff" });
      await vscode.window.showTextDocument(doc, { preview: false });
    }
  }

  /** Close the preview's diff editors and update the buttons' context. */
  private async settled(token: string): Promise<void> {
    this.taken.delete(token);
    await vscode.commands.executeCommand("setContext", PENDING_CONTEXT, this.previews.size > 0);
    if (this.asking.delete(token)) {
      // Settled with the editor title buttons: the notification's buttons would do nothing now.
      void vscode.commands.executeCommand("notifications.hideToasts");
    }
    const ours = (uri: vscode.Uri): boolean =>
      uri.scheme === PREVIEW_SCHEME && parsePreviewPath(uri.path)?.token === token;
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => {
        const input = tab.input;
        if (input instanceof vscode.TabInputTextDiff) {
          return ours(input.original) || ours(input.modified);
        }
        return input instanceof vscode.TabInputText && ours(input.uri);
      });
    if (tabs.length > 0) {
      await vscode.window.tabGroups.close(tabs);
    }
  }
}
