/** "GLM: Chat": a webview that streams `$/glm/chat` and continues one session. */

import * as vscode from "vscode";
import { type ChatEvent, Transcript } from "./chat";
import { chatHtml } from "./webview";

export interface ChatHost {
  /** Runs a server command; rejects with the server's error. */
  execute<T>(command: string, arg: Record<string, unknown>): Promise<T>;
  /** The file editor the user last worked in, for context (the panel itself has focus). */
  lastFileEditor(): vscode.TextEditor | undefined;
  protocolUri(uri: vscode.Uri): string;
  protocolRange(range: vscode.Range): unknown;
}

export class ChatPanel {
  private static current: ChatPanel | undefined;
  private transcript = new Transcript();

  static show(host: ChatHost): ChatPanel {
    if (ChatPanel.current) {
      ChatPanel.current.panel.reveal(vscode.ViewColumn.Beside);
      return ChatPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      "glmChat",
      "GLM Chat",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
    );
    ChatPanel.current = new ChatPanel(panel, host);
    return ChatPanel.current;
  }

  /** Route a notification to the open panel, if it is one of its answers. */
  static dispatch(event: ChatEvent): void {
    ChatPanel.current?.onEvent(event);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly host: ChatHost,
  ) {
    const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join("");
    panel.webview.html = chatHtml(nonce, panel.webview.cspSource);
    panel.webview.onDidReceiveMessage((message: { type?: string; text?: string }) => {
      if (message.type === "send" && typeof message.text === "string") {
        void this.send(message.text);
      } else if (message.type === "new") {
        this.transcript = new Transcript();
        this.render();
      } else if (message.type === "ready") {
        this.render();
      }
    });
    panel.onDidDispose(() => {
      if (ChatPanel.current === this) {
        ChatPanel.current = undefined;
      }
    });
  }

  onEvent(event: ChatEvent): void {
    if (this.transcript.owns(event) && this.transcript.apply(event)) {
      this.render();
    }
  }

  async send(message: string): Promise<void> {
    const transcript = this.transcript;
    const answer = transcript.ask(message);
    this.render();
    const arg: Record<string, unknown> = { message };
    if (transcript.session) {
      arg.session = transcript.session;
    }
    const editor = this.host.lastFileEditor();
    if (editor) {
      arg.uri = this.host.protocolUri(editor.document.uri);
      if (!editor.selection.isEmpty) {
        arg.range = this.host.protocolRange(editor.selection);
      }
    }
    try {
      const result = await this.host.execute<{ task: string; session: string }>("glm.chat", arg);
      answer.task ??= result.task;
      transcript.session ??= result.session;
    } catch (error) {
      transcript.fail(answer, error instanceof Error ? error.message : String(error));
    }
    this.render();
  }

  private render(): void {
    void this.panel.webview.postMessage({
      type: "render",
      html: this.transcript.render(),
      busy: this.transcript.busy,
    });
  }
}
