/** The status bar item: the running task (a click cancels it), else the session's cost. */

import * as vscode from "vscode";
import type { GlmClient } from "./client";
import { statusView, type TaskEvent, TaskTracker, type Usage, type UsageResult } from "./usage";

export class StatusController implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  private readonly tasks = new TaskTracker();
  private usage: Usage | undefined;

  constructor(
    private readonly client: GlmClient,
    command: string,
  ) {
    this.item.command = command;
    this.update();
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }

  get running(): boolean {
    return this.tasks.tasks.length > 0;
  }

  /** A `$/glm/task` notification: an ended task changes the session's usage. */
  onTask(event: TaskEvent): void {
    if (this.tasks.update(event)) {
      void this.refreshUsage();
    }
    this.update();
  }

  showUsage(result: UsageResult): void {
    this.usage = result.total;
    this.update();
  }

  /** The server stopped: its tasks are gone. */
  clear(): void {
    this.tasks.clear();
    this.update();
  }

  private async refreshUsage(): Promise<void> {
    try {
      this.usage = (await this.client.execute<UsageResult>("glm.usage", {})).total;
    } catch (error) {
      this.client.output.appendLine(`glm.usage failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.update();
  }

  private update(): void {
    const view = statusView(this.tasks.tasks, this.usage);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
  }
}
