import assert from "node:assert/strict";
import { test } from "node:test";
import { explicitValue, parseServerCommand, SERVER_SETTINGS, serverSection } from "../src/settings";
import pkg from "../package.json";

test("only settings the user set reach the server, folder over workspace over user", () => {
  const inspected: Record<string, object> = {
    provider: { defaultValue: "hyperstack", globalValue: "nvidia", workspaceValue: "openai" },
    model: { defaultValue: "" },
    baseUrl: { defaultValue: "", globalValue: "http://a", workspaceFolderValue: "http://b" },
    reasoningEffort: { defaultValue: "", globalValue: "" },
  };
  const section = serverSection((key) => inspected[key], undefined);
  assert.deepEqual(section, { provider: "openai", baseUrl: "http://b", reasoningEffort: "" });
});

test("the API key from secret storage is added, and only when there is one", () => {
  assert.deepEqual(serverSection(() => undefined, "sk-1"), { apiKey: "sk-1" });
  assert.deepEqual(serverSection(() => undefined, ""), {});
  assert.deepEqual(serverSection(() => undefined, undefined), {});
});

test("explicitValue ignores the default", () => {
  assert.equal(explicitValue({ defaultValue: "x" }), undefined);
  assert.equal(explicitValue(undefined), undefined);
  assert.equal(explicitValue({ globalValue: "g" }), "g");
});

test("every server setting is contributed under glm.* and nothing else is sent", () => {
  const props = Object.keys(pkg.contributes.configuration.properties);
  for (const key of SERVER_SETTINGS) {
    assert.ok(props.includes(`glm.${key}`), key);
  }
  assert.deepEqual(
    props.filter((p) => !SERVER_SETTINGS.includes(p.slice(4) as never)),
    ["glm.serverCommand", "glm.trace.server"],
  );
});

test("serverCommand parsing", () => {
  assert.deepEqual(parseServerCommand(undefined), { command: "glm-lsp", args: ["serve"] });
  assert.deepEqual(parseServerCommand(["/v/bin/python", "-m", "glm_lsp", "serve"]), {
    command: "/v/bin/python",
    args: ["-m", "glm_lsp", "serve"],
  });
  assert.deepEqual(parseServerCommand("glm-lsp"), { command: "glm-lsp", args: [] });
  assert.match(parseServerCommand([]) as string, /empty/);
  assert.match(parseServerCommand([1, 2]) as string, /list of strings/);
  assert.deepEqual(
    pkg.contributes.configuration.properties["glm.serverCommand"].default,
    ["glm-lsp", "serve"],
  );
});
