/** The GLM extension: starts glm-lsp and wires its parts (client, commands, previews,
 * status) together; each part lives in its own module. */

import * as vscode from "vscode";
import { ChatPanel } from "./chatPanel";
import { GlmClient, SECRET } from "./client";
import { FileEditors, registerCommands, STATUS_CLICK } from "./commands";
import { CompletionStatus } from "./completionStatus";
import { PreviewController } from "./previewController";
import { StatusController } from "./status";

let client: GlmClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = new GlmClient(context.secrets);
  const glm = client;
  const previews = new PreviewController(glm);
  const status = new StatusController(glm, STATUS_CLICK);
  const editors = new FileEditors();
  const completion = new CompletionStatus(glm);
  glm.events = {
    preview: (params) => void previews.show(params),
    chat: (event) => {
      ChatPanel.dispatch(event);
    },
    task: (event) => {
      status.onTask(event);
    },
    completed: () => {
      completion.completed();
    },
    stopped: () => {
      previews.clear();
      status.clear();
    },
  };
  registerCommands(context, { client: glm, previews, status, editors });
  context.subscriptions.push(
    glm,
    previews,
    status,
    completion,
    editors,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("glm.serverCommand")) {
        void glm.restart();
      } else if (event.affectsConfiguration("glm")) {
        glm.configurationChanged();
      }
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === SECRET) {
        glm.configurationChanged();
      }
    }),
  );
  await glm.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
