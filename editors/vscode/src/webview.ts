/** The chat panel's HTML: a transcript the extension renders, and an input box. */

export function chatHtml(nonce: string, cspSource: string): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} https: data:`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>GLM Chat</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; display: flex; flex-direction: column; height: 100vh; box-sizing: border-box; margin: 0; }
  #log { flex: 1; overflow-y: auto; padding: 8px 0; }
  .msg { margin: 8px 0; padding: 6px 10px; border-radius: 4px; }
  .msg.user { background: var(--vscode-textBlockQuote-background); }
  .who { font-weight: bold; opacity: 0.8; margin-bottom: 4px; }
  .tool { font-family: var(--vscode-editor-font-family); opacity: 0.8; }
  .error { color: var(--vscode-errorForeground); }
  .reasoning-text { white-space: pre-wrap; opacity: 0.75; }
  pre { background: var(--vscode-textCodeBlock-background); padding: 6px; overflow-x: auto; }
  code { font-family: var(--vscode-editor-font-family); }
  form { display: flex; gap: 6px; padding: 8px 0; border-top: 1px solid var(--vscode-panel-border); }
  textarea { flex: 1; resize: vertical; min-height: 3em; font-family: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; cursor: pointer; }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
</style>
</head>
<body>
<div id="log"></div>
<form id="ask">
  <textarea id="input" placeholder="Ask GLM… (Enter sends, Shift+Enter for a new line)"></textarea>
  <button type="submit" id="send">Send</button>
  <button type="button" id="new" class="secondary" title="Start a new conversation">New</button>
</form>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const log = document.getElementById("log");
  const input = document.getElementById("input");
  function send() {
    const text = input.value.trim();
    if (!text) return;
    vscode.postMessage({ type: "send", text });
    input.value = "";
  }
  document.getElementById("ask").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  document.getElementById("new").addEventListener("click", () => vscode.postMessage({ type: "new" }));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
  });
  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (msg.type !== "render") return;
    const open = new Set([...log.querySelectorAll("details[open]")].map((d) => d.dataset.id));
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.innerHTML = msg.html;
    for (const d of log.querySelectorAll("details")) { if (open.has(d.dataset.id)) d.open = true; }
    if (atBottom) log.scrollTop = log.scrollHeight;
    document.getElementById("send").disabled = !!msg.busy;
  });
  vscode.postMessage({ type: "ready" });
</script>
</body>
</html>`;
}
