/** Keeps the API key out of every log line the extension or the language client writes. */

export const REDACTED = "[REDACTED]";

/** `text` with each secret (of 4+ characters) replaced, also in its JSON-escaped form. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) {
      continue;
    }
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

const WRITERS = new Set(["append", "appendLine", "replace", "trace", "debug", "info", "warn", "error"]);

/** A view of an output channel whose writing methods redact their string arguments. */
export function redactingChannel<T extends object>(channel: T, secrets: () => readonly (string | undefined)[]): T {
  return new Proxy(channel, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown; // getters run on the real channel
      if (typeof prop === "string" && WRITERS.has(prop) && typeof value === "function") {
        return (...args: unknown[]) =>
          (value as (...a: unknown[]) => unknown).apply(
            target,
            args.map((arg) => (typeof arg === "string" ? redact(arg, secrets()) : arg)),
          );
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
