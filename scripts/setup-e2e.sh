#!/usr/bin/env bash
# Installs what the end-to-end suite drives: Debian Chromium and code-server 4.100.3 (a real VS Code).
# Idempotent: everything lands under test/e2e/.cache/ (git-ignored) and a stamp file skips the work next time.
# code-server's own install scripts download prebuilt binaries, which this machine cannot fetch, so it is
# installed with --ignore-scripts and its native modules are rebuilt from source against the local Node.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/test/e2e/.cache"
PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
STAMP="$PREFIX/.installed"
CS="$PREFIX/node_modules/code-server"

log() { echo "[setup-e2e] $*"; }

missing_debs=()
command -v chromium >/dev/null || missing_debs+=(chromium)
command -v rg >/dev/null || missing_debs+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing_debs+=(libkrb5-dev)
command -v make >/dev/null && command -v g++ >/dev/null || missing_debs+=(build-essential)
command -v python3 >/dev/null || missing_debs+=(python3)
if ((${#missing_debs[@]})); then
  log "apt-get install ${missing_debs[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
fi

if [ -f "$STAMP" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi

# node-pty's post-install runs `npx node-gyp configure`. npx looks for node-gyp only in the package's own
# node_modules/.bin and in npm's global prefix, never on PATH, and on a machine without a global node-gyp it
# stops at its install prompt ("npx canceled due to missing packages"). `command -v node-gyp` cannot tell:
# inside an npm script npm's own node-gyp shim is on PATH. So node-gyp is always installed into a prefix
# inside the cache, and the rebuilds below run with that folder as npm's global prefix (where npx finds it)
# and its bin first on PATH. Nothing is installed globally.
NODE_GYP_VERSION=12.4.0
GYP_PREFIX="$CACHE/node-gyp-$NODE_GYP_VERSION"
if [ ! -x "$GYP_PREFIX/bin/node-gyp" ]; then
  log "npm install node-gyp@$NODE_GYP_VERSION into $GYP_PREFIX"
  npm install --global --prefix "$GYP_PREFIX" "node-gyp@$NODE_GYP_VERSION" --no-audit --no-fund --loglevel=error
fi
export npm_config_prefix="$GYP_PREFIX" PATH="$GYP_PREFIX/bin:$PATH"

mkdir -p "$PREFIX"
[ -f "$PREFIX/package.json" ] || echo '{ "name": "flowbench-e2e-code-server", "private": true }' >"$PREFIX/package.json"

log "npm install code-server@$CODE_SERVER_VERSION"
(cd "$PREFIX" && npm install "code-server@$CODE_SERVER_VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error)

log "code-server runtime dependencies"
(cd "$CS" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && npm rebuild argon2 --loglevel=error)

log "VS Code server dependencies and native modules"
(cd "$CS/lib/vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
  && npm rebuild node-pty @vscode/spdlog @parcel/watcher native-watchdog kerberos --loglevel=error)

mkdir -p "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$CS/lib/vscode/node_modules.asar"

log "built-in extensions' dependencies"
(cd "$CS/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

touch "$STAMP"
log "done: $CS/out/node/entry.js"
