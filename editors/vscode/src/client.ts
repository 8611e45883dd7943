/** The language client: starts glm-lsp, answers its configuration requests with the
 * settings and the key from secret storage, and runs its commands. */

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  LSPErrorCodes,
  ResponseError,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import type { ChatEvent } from "./chat";
import type { PreviewParams } from "./preview";
import { redactingChannel } from "./redact";
import { parseServerCommand, type ServerSetting, serverSection } from "./settings";
import type { TaskEvent } from "./usage";

export const SECRET = "glm.apiKey";

/** What the server tells the rest of the extension, as its notifications arrive. */
export interface ServerEvents {
  preview(params: PreviewParams): void;
  chat(event: ChatEvent): void;
  task(event: TaskEvent): void;
  /** An inline completion request was answered (its cost may have changed). */
  completed(): void;
  /** The server stopped: what it held (previews, tasks) is gone. */
  stopped(): void;
}

export class GlmClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly channel = vscode.window.createOutputChannel("GLM", { log: true });
  private readonly traceChannel = vscode.window.createOutputChannel("GLM Trace", { log: true });
  /** The key as last read from secret storage, so every log line can be redacted. */
  private apiKey: string | undefined;
  readonly output = redactingChannel(this.channel, () => [this.apiKey]);
  private readonly trace = redactingChannel(this.traceChannel, () => [this.apiKey]);
  events: ServerEvents | undefined;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  dispose(): void {
    this.channel.dispose();
    this.traceChannel.dispose();
  }

  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.createClient().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.events?.stopped();
    if (client && client.state !== State.Stopped) {
      await client.stop();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Run a glm.* command with its one object argument; rejects with the server's error. */
  async execute<T>(command: string, arg: Record<string, unknown>): Promise<T> {
    const client = await this.ready();
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] })) as T;
  }

  /** Ask the server to pull its settings again (it answers with workspace/configuration). */
  configurationChanged(): void {
    const client = this.client;
    if (client?.state === State.Running) {
      void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  /** Keep the new key for redaction and in secret storage (empty removes it). */
  async storeKey(value: string): Promise<void> {
    if (value) {
      this.apiKey = value;
      await this.secrets.store(SECRET, value);
    } else {
      await this.secrets.delete(SECRET);
    }
  }

  async ready(): Promise<LanguageClient> {
    if (this.client?.state === State.Running) {
      return this.client;
    }
    const client = this.client ?? (await this.start());
    if (!client) {
      throw new Error("GLM: the language server is not running; see the GLM output.");
    }
    return client;
  }

  protocolUri(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  protocolRange(range: vscode.Range): unknown {
    return this.client
      ? this.client.code2ProtocolConverter.asRange(range)
      : { start: range.start, end: range.end };
  }

  /** Show an error once: glm-lsp's own failures were already shown by the server. */
  report(error: unknown): void {
    if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestFailed) {
      this.output.appendLine(`server error: ${error.message}`);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(message.startsWith("GLM") ? message : `GLM: ${message}`);
  }

  private async createClient(): Promise<LanguageClient | undefined> {
    this.apiKey = await this.secrets.get(SECRET);
    const parsed = parseServerCommand(vscode.workspace.getConfiguration("glm").get("serverCommand"));
    if (typeof parsed === "string") {
      void vscode.window.showErrorMessage(`GLM: ${parsed}`);
      return undefined;
    }
    const serverOptions: ServerOptions = {
      command: parsed.command,
      args: parsed.args, // stdio; no `transport`, which would append --stdio
    };
    const client = new LanguageClient("glm", "GLM", serverOptions, this.clientOptions());
    this.listen(client);
    try {
      await client.start();
    } catch (error) {
      void client.dispose().catch(() => undefined); // no restarts of a server that cannot start
      this.startFailed([parsed.command, ...parsed.args].join(" "), error);
      return undefined;
    }
    this.client = client;
    return client;
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: "file" }],
      outputChannel: this.output,
      traceOutputChannel: this.trace, // glm.trace.server: "verbose" shows messages, never the key
      middleware: {
        provideInlineCompletionItems: async (document, position, context, token, next) => {
          const items = await next(document, position, context, token);
          this.events?.completed();
          return items;
        },
        workspace: {
          configuration: async (params, token, next) => {
            const answer: unknown[] | ResponseError = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            const key = await this.secrets.get(SECRET);
            this.apiKey = key;
            return params.items.map((item, index) =>
              item.section === "glm" ? serverSettings(item.scopeUri, key) : answer[index],
            );
          },
        },
      },
    };
  }

  private listen(client: LanguageClient): void {
    client.onNotification("$/glm/preview", (params: PreviewParams) => {
      this.events?.preview(params);
    });
    client.onNotification("$/glm/chat", (params: ChatEvent) => {
      this.events?.chat(params);
    });
    client.onNotification("$/glm/task", (params: TaskEvent) => {
      this.events?.task(params);
    });
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped) {
        this.events?.stopped();
      }
    });
  }

  private startFailed(command: string, error: unknown): void {
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
  }
}

/** The answer to the server's workspace/configuration item with section "glm". */
function serverSettings(scopeUri: string | undefined, apiKey: string | undefined): Record<string, unknown> {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  const config = vscode.workspace.getConfiguration("glm", scope);
  return serverSection((key: ServerSetting) => config.inspect(key), apiKey);
}
