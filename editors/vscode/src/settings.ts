/**
 * How the extension's `glm.*` settings become the server's settings.
 *
 * The server merges, lowest first: its defaults < TOML file < environment <
 * initializationOptions < workspace/configuration (section "glm"). VS Code answers a
 * configuration request with every property, defaults included, which would hide the
 * TOML file and the environment (GLM_PROVIDER, GLM_BASE_URL, ...). So only values the user
 * actually set are sent; the defaults in package.json equal the server's anyway.
 */

/** The settings the server understands, as VS Code names them (without "glm."). */
export const SERVER_SETTINGS = [
  "provider",
  "model",
  "baseUrl",
  "reasoningEffort",
  "completion.enabled",
  "completion.debounceMs",
  "completion.hourlyCapUsd",
  "completion.maxTokens",
] as const;
export type ServerSetting = (typeof SERVER_SETTINGS)[number];

export const DEFAULT_SERVER_COMMAND: readonly string[] = ["glm-lsp", "serve"];

/** The part of `WorkspaceConfiguration.inspect()` that says where a value was set. */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The value the user set (folder > workspace > user), or undefined when none was. */
export function explicitValue<T>(inspected: Inspected<T> | undefined): T | undefined {
  if (inspected === undefined) {
    return undefined;
  }
  return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
}

/**
 * The object answered for the server's `workspace/configuration` item with section "glm":
 * the explicitly set settings plus the API key from secret storage, if there is one.
 */
export function serverSection(
  inspect: (key: ServerSetting) => Inspected<unknown> | undefined,
  apiKey: string | undefined,
): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const value = explicitValue(inspect(key));
    if (value !== undefined && value !== null) {
      section[key] = value;
    }
  }
  if (apiKey) {
    section.apiKey = apiKey;
  }
  return section;
}

export interface ServerCommand {
  command: string;
  args: string[];
}

/** `glm.serverCommand` as a program and its arguments, or an error sentence. */
export function parseServerCommand(value: unknown): ServerCommand | string {
  if (value === undefined || value === null) {
    value = DEFAULT_SERVER_COMMAND;
  }
  if (typeof value === "string") {
    value = value.trim() ? [value.trim()] : [];
  }
  if (!Array.isArray(value) || !value.every((part) => typeof part === "string")) {
    return 'glm.serverCommand must be a list of strings, such as ["glm-lsp", "serve"].';
  }
  const parts = value.filter((part) => part.length > 0);
  if (parts.length === 0) {
    return 'glm.serverCommand is empty; set it to a command such as ["glm-lsp", "serve"].';
  }
  const [command, ...args] = parts;
  return { command: command as string, args };
}
