// Drives `glm-lsp acp` with the official ACP client SDK (ClientSideConnection), as an
// editor would, and prints what happened as one JSON object on stdout.
//
//   GLM_ACP_SCENARIO=prompt|cancel|load  GLM_ACP_ROOT=<workspace>  node client.mjs <agent cmd...>
//
// prompt: new session, a prompt naming GLM_ACP_FILE; the permission request is answered
//         with GLM_ACP_PERMISSION (an option id); fs/read_text_file serves GLM_ACP_UNSAVED
//         for that file when set (an unsaved editor buffer), else the disk.
// cancel: new session, a prompt cancelled as soon as the first message chunk streams.
// load:   session/load of GLM_ACP_SESSION, then a prompt continuing it.
// twice:  like prompt, then GLM_ACP_TEXT2 in the same session.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import * as acp from "@agentclientprotocol/sdk";

const env = process.env;
const [command, ...args] = process.argv.slice(2);
const agent = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"], env });
const stream = acp.ndJsonStream(Writable.toWeb(agent.stdin), Readable.toWeb(agent.stdout));

const seen = { updates: [], permissions: [], reads: [], writes: [] };
let firstChunk;
const chunked = new Promise((resolve) => (firstChunk = resolve));

class TestClient {
  async requestPermission(params) {
    seen.permissions.push({ title: params.toolCall.title, options: params.options.map((o) => o.optionId) });
    return { outcome: { outcome: "selected", optionId: env.GLM_ACP_PERMISSION || "allow_once" } };
  }
  async sessionUpdate(params) {
    seen.updates.push(params.update);
    if (params.update.sessionUpdate === "agent_message_chunk") firstChunk();
  }
  async readTextFile(params) {
    seen.reads.push(params.path);
    const unsaved = env.GLM_ACP_UNSAVED;
    return { content: unsaved && params.path.endsWith(env.GLM_ACP_FILE) ? unsaved : readFileSync(params.path, "utf8") };
  }
  async writeTextFile(params) {
    seen.writes.push(params.path);
    mkdirSync(dirname(params.path), { recursive: true });
    writeFileSync(params.path, params.content);
    return {};
  }
}

const connection = new acp.ClientSideConnection(() => new TestClient(), stream);
const root = env.GLM_ACP_ROOT;

function prompt(sessionId, text, file) {
  const blocks = [{ type: "text", text }];
  if (file) {
    const uri = pathToFileURL(`${root}/${file}`).href;
    blocks.push({ type: "resource_link", uri, name: file });
  }
  return connection.prompt({ sessionId, prompt: blocks });
}

async function run() {
  const init = await connection.initialize({
    protocolVersion: acp.PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: true, writeTextFile: true } },
  });
  seen.agent = { protocolVersion: init.protocolVersion, loadSession: init.agentCapabilities?.loadSession };
  const scenario = env.GLM_ACP_SCENARIO;
  if (scenario === "load") {
    seen.sessionId = env.GLM_ACP_SESSION;
    await connection.loadSession({ sessionId: seen.sessionId, cwd: root, mcpServers: [] });
    seen.replayed = seen.updates.splice(0);
    seen.result = await prompt(seen.sessionId, env.GLM_ACP_TEXT);
    return;
  }
  seen.sessionId = (await connection.newSession({ cwd: root, mcpServers: [] })).sessionId;
  if (scenario === "cancel") {
    const pending = prompt(seen.sessionId, env.GLM_ACP_TEXT, env.GLM_ACP_FILE);
    await chunked;
    await connection.cancel({ sessionId: seen.sessionId });
    seen.result = await pending;
    return;
  }
  seen.result = await prompt(seen.sessionId, env.GLM_ACP_TEXT, env.GLM_ACP_FILE);
  if (scenario === "twice") {
    seen.second = await prompt(seen.sessionId, env.GLM_ACP_TEXT2, env.GLM_ACP_FILE);
  }
}

try {
  await run();
} catch (error) {
  seen.error = { message: error?.message ?? String(error), code: error?.code };
}
process.stdout.write(JSON.stringify(seen) + "\n");
agent.stdin.end();
agent.kill();
process.exit(0);
