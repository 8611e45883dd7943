/** The GLM extension: starts glm-lsp and gives its commands a VS Code face. */

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LSPErrorCodes,
  type LanguageClientOptions,
  ResponseError,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import type { ChatEvent } from "./chat";
import { ChatPanel } from "./chatPanel";
import { pickDiff } from "./diffsource";
import { redactingChannel } from "./redact";
import {
  diffTitle,
  PREVIEW_SCHEME,
  type PreviewParams,
  PreviewStore,
  parsePreviewPath,
  previewFiles,
  previewMessage,
  previewPath,
} from "./preview";
import { parseServerCommand, type ServerSetting, serverSection } from "./settings";
import { statusView, type TaskEvent, TaskTracker, type Usage, type UsageResult, usageDetails, usageMessage } from "./usage";

const SECRET = "glm.apiKey";
const PENDING_CONTEXT = "glm.previewPending";

let glm: Glm | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  glm = new Glm(context);
  await glm.start();
}

export async function deactivate(): Promise<void> {
  await glm?.stop();
  glm = undefined;
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

class Glm {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly channel = vscode.window.createOutputChannel("GLM", { log: true });
  private readonly traceChannel = vscode.window.createOutputChannel("GLM Trace", { log: true });
  /** The key as last read from secret storage, so every log line can be redacted. */
  private apiKey: string | undefined;
  private readonly output = redactingChannel(this.channel, () => [this.apiKey]);
  private readonly trace = redactingChannel(this.traceChannel, () => [this.apiKey]);
  private readonly previews = new PreviewStore();
  private readonly tasks = new TaskTracker();
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  private usage: Usage | undefined;
  private readonly asking = new Set<string>(); // previews whose Accept/Reject notification is up
  private fileEditor: vscode.TextEditor | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    const register = (id: string, run: (...args: unknown[]) => unknown): void => {
      context.subscriptions.push(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          try {
            await run(...args);
          } catch (error) {
            this.report(error);
          }
        }),
      );
    };
    register("glmlsp.editSelection", () => this.editSelection());
    register("glmlsp.chat", () => ChatPanel.show(this.chatHost()));
    register("glmlsp.applyDiff", () => this.applyDiff());
    register("glmlsp.cancel", () => this.cancel());
    register("glmlsp.showUsage", () => this.showUsage());
    register("glmlsp.setApiKey", () => this.setApiKey());
    register("glmlsp.restartServer", () => this.restart());
    register("glmlsp.acceptPreview", (uri) => this.acceptPreview(this.previewToken(uri)));
    register("glmlsp.rejectPreview", (uri) => this.rejectPreview(this.previewToken(uri)));
    register("glmlsp.statusClick", () => (this.tasks.tasks.length > 0 ? this.cancel() : this.showUsage()));

    const previews = this.previews;
    context.subscriptions.push(
      this.channel,
      this.traceChannel,
      this.status,
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
        provideTextDocumentContent(uri: vscode.Uri): string {
          const ref = parsePreviewPath(uri.path);
          return (ref && previews.content(ref)) ?? "";
        },
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("glm.serverCommand")) {
          void this.restart();
        } else if (event.affectsConfiguration("glm")) {
          this.configurationChanged();
        }
      }),
      context.secrets.onDidChange((event) => {
        if (event.key === SECRET) {
          this.configurationChanged();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor?.document.uri.scheme === "file") {
          this.fileEditor = editor;
        }
      }),
    );
    if (vscode.window.activeTextEditor?.document.uri.scheme === "file") {
      this.fileEditor = vscode.window.activeTextEditor;
    }
    this.status.command = "glmlsp.statusClick";
    this.updateStatus();
    this.status.show();
  }

  // --- the language client ---------------------------------------------------------

  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.createClient().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.forgetServerState();
    if (client && client.state !== State.Stopped) {
      await client.stop();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async createClient(): Promise<LanguageClient | undefined> {
    this.apiKey = await this.context.secrets.get(SECRET);
    const parsed = parseServerCommand(vscode.workspace.getConfiguration("glm").get("serverCommand"));
    if (typeof parsed === "string") {
      void vscode.window.showErrorMessage(`GLM: ${parsed}`);
      return undefined;
    }
    const serverOptions: ServerOptions = {
      command: parsed.command,
      args: parsed.args, // stdio; no `transport`, which would append --stdio
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }],
      outputChannel: this.output,
      traceOutputChannel: this.trace, // glm.trace.server: "verbose" shows messages, never the key
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const answer: unknown[] | ResponseError = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            const key = await this.context.secrets.get(SECRET);
            this.apiKey = key;
            return params.items.map((item, index) =>
              item.section === "glm" ? this.serverSettings(item.scopeUri, key) : answer[index],
            );
          },
        },
      },
    };
    const client = new LanguageClient("glm", "GLM", serverOptions, clientOptions);
    client.onNotification("$/glm/preview", (params: PreviewParams) => void this.onPreview(params));
    client.onNotification("$/glm/chat", (params: ChatEvent) => {
      ChatPanel.dispatch(params);
    });
    client.onNotification("$/glm/task", (params: TaskEvent) => {
      this.onTask(params);
    });
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped) {
        this.forgetServerState();
      }
    });
    try {
      await client.start();
    } catch (error) {
      void client.dispose().catch(() => undefined); // no restarts of a server that cannot start
      const command = [parsed.command, ...parsed.args].join(" ");
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`could not start ${command}: ${message}`);
      void vscode.window
        .showErrorMessage(
          `GLM: could not start the language server (${command}). Install glm-lsp or set glm.serverCommand.`,
          "Open Settings",
        )
        .then((choice) => {
          if (choice) {
            void vscode.commands.executeCommand("workbench.action.openSettings", "glm.serverCommand");
          }
        });
      return undefined;
    }
    this.client = client;
    return client;
  }

  /** The answer to the server's workspace/configuration item with section "glm". */
  private serverSettings(scopeUri: string | undefined, apiKey: string | undefined): Record<string, unknown> {
    const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
    const config = vscode.workspace.getConfiguration("glm", scope);
    return serverSection((key: ServerSetting) => config.inspect(key), apiKey);
  }

  /** Ask the server to pull its settings again (it answers with workspace/configuration). */
  private configurationChanged(): void {
    const client = this.client;
    if (client?.state === State.Running) {
      void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  private async ready(): Promise<LanguageClient> {
    if (this.client?.state === State.Running) {
      return this.client;
    }
    const client = this.client ?? (await this.start());
    if (!client) {
      throw new Error("GLM: the language server is not running; see the GLM output.");
    }
    return client;
  }

  async execute<T>(command: string, arg: Record<string, unknown>): Promise<T> {
    const client = await this.ready();
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] })) as T;
  }

  private forgetServerState(): void {
    this.previews.clear();
    void vscode.commands.executeCommand("setContext", PENDING_CONTEXT, false);
    this.tasks.clear();
    this.updateStatus();
  }

  private report(error: unknown): void {
    if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestFailed) {
      // glm-lsp's own failures: it already showed the one sentence (window/showMessage).
      this.output.appendLine(`server error: ${error.message}`);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(message.startsWith("GLM") ? message : `GLM: ${message}`);
  }

  private chatHost() {
    return {
      execute: <T>(command: string, arg: Record<string, unknown>) => this.execute<T>(command, arg),
      lastFileEditor: () => this.liveFileEditor(),
      protocolUri: (uri: vscode.Uri) => this.protocolUri(uri),
      protocolRange: (range: vscode.Range) => this.protocolRange(range),
    };
  }

  private liveFileEditor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active?.document.uri.scheme === "file") {
      return active;
    }
    const last = this.fileEditor;
    return last && !last.document.isClosed ? last : undefined;
  }

  private protocolUri(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  private protocolRange(range: vscode.Range): unknown {
    return this.client
      ? this.client.code2ProtocolConverter.asRange(range)
      : { start: range.start, end: range.end };
  }

  // --- commands --------------------------------------------------------------------

  private async editSelection(): Promise<void> {
    const editor = this.liveFileEditor();
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
    await this.ready();
    const arg: Record<string, unknown> = {
      uri: this.protocolUri(editor.document.uri),
      instruction: instruction.trim(),
      preview: true,
      show: false,
    };
    if (!editor.selection.isEmpty) {
      arg.range = this.protocolRange(editor.selection);
    }
    await this.execute<{ task: string }>("glm.edit", arg);
  }

  private async applyDiff(): Promise<void> {
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
    const result = await this.execute<{ applied: boolean }>("glm.applyDiff", { diff: picked.diff });
    if (result.applied) {
      void vscode.window.showInformationMessage(`GLM: applied the diff from the ${picked.from}.`);
    }
  }

  private async cancel(): Promise<void> {
    const result = await this.execute<{ cancelled: string[] }>("glm.cancel", {});
    const n = result.cancelled.length;
    void vscode.window.showInformationMessage(
      n === 0 ? "GLM: nothing is running." : `GLM: cancelled ${n === 1 ? "1 task" : `${n} tasks`}.`,
    );
  }

  private async showUsage(): Promise<void> {
    const result = await this.execute<UsageResult>("glm.usage", {});
    this.usage = result.total;
    this.updateStatus();
    const details = usageDetails(result);
    const choice = await vscode.window.showInformationMessage(
      usageMessage(result),
      ...(details.length > 0 ? ["Details"] : []),
    );
    if (choice === "Details") {
      this.output.appendLine("GLM usage by task:");
      for (const line of details) {
        this.output.appendLine(`  ${line}`);
      }
      this.output.show(true);
    }
  }

  private async setApiKey(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: "GLM: Set API Key",
      prompt: "Your provider's API key. It is kept in VS Code's secret storage, never in settings. Leave empty to remove it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) {
      return;
    }
    if (value.trim()) {
      this.apiKey = value.trim();
      await this.context.secrets.store(SECRET, value.trim());
      void vscode.window.showInformationMessage("GLM: the API key is stored in secret storage.");
    } else {
      await this.context.secrets.delete(SECRET);
      void vscode.window.showInformationMessage("GLM: the API key was removed.");
    }
    // secrets.onDidChange tells the server to pull its settings again.
  }

  // --- tasks and the status bar ----------------------------------------------------

  private onTask(event: TaskEvent): void {
    if (this.tasks.update(event)) {
      void this.refreshUsage();
    }
    this.updateStatus();
  }

  private async refreshUsage(): Promise<void> {
    try {
      const result = await this.execute<UsageResult>("glm.usage", {});
      this.usage = result.total;
    } catch (error) {
      this.output.appendLine(`glm.usage failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.updateStatus();
  }

  private updateStatus(): void {
    const view = statusView(this.tasks.tasks, this.usage);
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
  }

  // --- proposed edits --------------------------------------------------------------

  private async onPreview(params: PreviewParams): Promise<void> {
    this.previews.add(params);
    await vscode.commands.executeCommand("setContext", PENDING_CONTEXT, true);
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
    this.asking.add(params.token);
    const choice = await vscode.window
      .showInformationMessage(previewMessage(params), "Accept", "Reject")
      .then((picked) => {
        this.asking.delete(params.token);
        return picked;
      });
    if (choice === "Accept") {
      await this.acceptPreview(params.token).catch((error: unknown) => {
        this.report(error);
      });
    } else if (choice === "Reject") {
      await this.rejectPreview(params.token).catch((error: unknown) => {
        this.report(error);
      });
    }
  }

  /** The preview shown in the active editor (or passed by an editor title button), else the newest. */
  private previewToken(arg: unknown): string | undefined {
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

  private async acceptPreview(token: string | undefined): Promise<void> {
    const params = token ? this.previews.get(token) : undefined;
    if (!token || !params) {
      return; // already accepted or rejected (e.g. by the other button)
    }
    this.previews.remove(token);
    await this.settled(token);
    const result = await this.execute<{ applied: boolean }>("glm.accept", { token });
    if (result.applied) {
      const target = previewFiles(params).find((f) => f.new !== null);
      if (target) {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
        await vscode.window.showTextDocument(doc, { preview: false });
      }
    }
  }

  private async rejectPreview(token: string | undefined): Promise<void> {
    if (!token || !this.previews.get(token)) {
      return;
    }
    this.previews.remove(token);
    await this.settled(token);
    await this.execute<{ rejected: boolean }>("glm.reject", { token });
  }

  /** Close the preview's diff editors and update the buttons' context. */
  private async settled(token: string): Promise<void> {
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
