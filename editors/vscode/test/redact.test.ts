import assert from "node:assert/strict";
import { test } from "node:test";
import { redact, redactingChannel } from "../src/redact";

test("secrets are replaced, also JSON-escaped, short or empty ones are ignored", () => {
  assert.equal(redact('{"apiKey":"sk-abc"} sk-abc', ["sk-abc"]), '{"apiKey":"[REDACTED]"} [REDACTED]');
  assert.equal(redact('"k\\"ey1"', ['k"ey1']), '"[REDACTED]"');
  assert.equal(redact("abc", ["", undefined, "ab"]), "abc");
});

test("a redacting channel filters what is written and passes everything else through", () => {
  const lines: string[] = [];
  const channel = {
    name: "GLM",
    appendLine(line: string) {
      lines.push(line);
    },
    info(message: string, ...rest: unknown[]) {
      lines.push([message, ...rest].join(" "));
    },
  };
  let key = "sk-secret";
  const view = redactingChannel(channel, () => [key]);
  view.appendLine("params: {\"apiKey\": \"sk-secret\"}");
  view.info("key sk-secret", 3);
  key = "other-key";
  view.appendLine("sk-secret other-key");
  assert.equal(view.name, "GLM");
  assert.deepEqual(lines, ['params: {"apiKey": "[REDACTED]"}', "key [REDACTED] 3", "sk-secret [REDACTED]"]);
});
