/** The inline completion status item: on or off (a click toggles glm.completion.enabled)
 * and what completion spent this hour. The suggestions themselves come from
 * vscode-languageclient, which registers an InlineCompletionItemProvider when the server
 * registers textDocument/inlineCompletion (it does while the setting is on). */

import * as vscode from "vscode";
import type { GlmClient } from "./client";
import { type CompletionUsage, completionStatusView, type UsageResult } from "./usage";

export const TOGGLE_COMPLETION = "glmlsp.toggleCompletion";
const REFRESH_MS = 1500; // one glm.usage per burst of suggestions

export class CompletionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[];
  private usage: CompletionUsage | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: GlmClient) {
    this.item.command = TOGGLE_COMPLETION;
    this.disposables = [
      vscode.commands.registerCommand(TOGGLE_COMPLETION, () => this.toggle()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("glm.completion")) {
          this.update();
          this.refreshSoon();
        }
      }),
    ];
    this.update();
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  /** A suggestion was answered: its cost shows after a short pause. */
  completed(): void {
    this.refreshSoon();
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration("glm").get<boolean>("completion.enabled", false);
  }

  /** Flip the setting where it is set (the workspace's, else the user's). */
  private async toggle(): Promise<void> {
    const config = vscode.workspace.getConfiguration("glm");
    const inspected = config.inspect<boolean>("completion.enabled");
    const target =
      inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update("completion.enabled", !this.enabled(), target);
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  private async refresh(): Promise<void> {
    try {
      this.usage = (await this.client.execute<UsageResult>("glm.usage", {})).completion;
    } catch (error) {
      this.client.output.appendLine(`glm.usage failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.update();
  }

  private update(): void {
    const view = completionStatusView(this.enabled(), this.usage);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
  }
}
