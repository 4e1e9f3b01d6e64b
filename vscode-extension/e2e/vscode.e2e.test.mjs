// End-to-end: the packaged extension in a real VS Code (code-server) in headless Chromium.
// Opens the sample repository, hovers an undocumented function and sees the drafted
// summary, runs "docgen: Generate docstring" and sees the docstring in the editor and on
// disk; with "source.docgen" in editor.codeActionsOnSave a save updates a stale docstring. Screenshots and logs are kept in test-results/e2e/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import {
    buildTinyModel,
    docgenLogFile,
    EXTENSION_DIR,
    freePort,
    hasShippedModel,
    installExtension,
    keepLogs,
    locateTools,
    makeWorkspace,
    serverPids,
    startCodeServer,
    stopProcessGroup,
    writeSettings,
} from './harness.mjs';

const OUT = path.join(EXTENSION_DIR, 'test-results', 'e2e');
const TARGET_FILE = path.join('inventory', 'pricing.py');
const TARGET_FUNCTION = 'cart_total';
/** Python files added before "Index workspace", so that its progress lasts long enough to see. */
const GENERATED_FILES = 300;
/** The text lines of the editors in the editor area (not the panel's output editor). */
const EDITOR_LINES = '.part.editor .monaco-editor .view-lines .view-line';
const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

const state = { server: undefined, browser: undefined, page: undefined, work: '', ws: '', userDir: '', extDir: '', settings: {} };

async function shot(name) {
    if (state.page) {
        await state.page.screenshot({ path: path.join(OUT, `${name}.png`) });
    }
}

/** The source line `def <name>(` in the editor, and the span holding the name. */
function functionName(page, name) {
    const line = page.locator(EDITOR_LINES, { hasText: `def ${name}(` }).first();
    return line.locator('span > span', { hasText: new RegExp(`^${name}$`) }).first();
}

async function waitForServer(page) {
    const item = page.locator('.statusbar-item', { hasText: 'docgen' }).first();
    await item.waitFor({ timeout: 120000 });
    const deadline = Date.now() + 240000;
    while (Date.now() < deadline) {
        const html = await item.innerHTML();
        if (html.includes('codicon-check') || html.includes('codicon-sync')) {
            return;
        }
        if (html.includes('codicon-error')) {
            throw new Error('the docgen status bar item shows an error; see test-results/e2e/vscode-logs');
        }
        await page.waitForTimeout(500);
    }
    throw new Error('the docgen server did not become ready within 240 s');
}

async function openFile(page, relative) {
    // Quick Open, tried again when its list does not show the file (a file the test has just
    // written, or focus still in a panel, can leave the first search empty).
    const name = path.basename(relative);
    for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Escape');
        await page.locator('.monaco-workbench').click({ position: { x: 600, y: 400 } }).catch(() => undefined);
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(relative.split(path.sep).join('/'));
        try {
            await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10000 });
            break;
        } catch (error) {
            if (attempt >= 3) {
                await shot(`open-${name}-failed`);
                throw error;
            }
        }
    }
    await page.keyboard.press('Enter');
}

/** Moves the cursor to the line of `def <name>(` (Ctrl+G), so Monaco renders it. */
async function revealFunction(page, file, name) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const index = lines.findIndex((l) => l.startsWith(`def ${name}(`));
    assert.ok(index >= 0, `def ${name}( is not in ${file}`);
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${index + 1}`);
    await page.keyboard.press('Enter');
    await functionName(page, name).waitFor({ timeout: 30000 });
}

/** Waits until the line after `def <name>(` in the editor opens a docstring. */
async function docstringInEditor(page, name, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        // view-lines are absolutely positioned, not in document order: sort them by `top`.
        // Monaco renders spaces as U+00A0.
        const rows = await page.locator(EDITOR_LINES).evaluateAll((els) =>
            els
                .map((el) => ({ top: parseFloat(el.style.top), text: (el.textContent ?? '').replace(/\u00a0/g, ' ') }))
                .sort((a, b) => a.top - b.top),
        );
        const i = rows.findIndex((r) => r.text.includes(`def ${name}(`));
        if (i >= 0 && rows[i + 1]?.text.trim().startsWith('"""')) {
            return;
        }
        await page.waitForTimeout(500);
    }
    throw new Error(`no docstring appeared under def ${name} within ${timeoutMs / 1000} s`);
}

/** Waits until the saved file has a docstring right under `def <name>(`; keeps a copy. */
async function docstringOnDisk(page, name, copyName) {
    const file = path.join(state.ws, TARGET_FILE);
    const deadline = Date.now() + 30000;
    let lines = [];
    let defIndex = -1;
    while (Date.now() < deadline) {
        lines = fs.readFileSync(file, 'utf8').split('\n');
        defIndex = lines.findIndex((l) => l.startsWith(`def ${name}(`));
        if (defIndex >= 0 && lines[defIndex + 1]?.trim().startsWith('"""')) {
            break;
        }
        await page.waitForTimeout(500);
    }
    fs.writeFileSync(path.join(OUT, copyName), lines.join('\n'));
    assert.ok(defIndex >= 0, `def ${name} disappeared from the file`);
    const context = lines.slice(defIndex, defIndex + 6).join('\n');
    assert.match(lines[defIndex + 1] ?? '', /^ {4}"""\S/, `no docstring under def ${name}:\n${context}`);
}

async function hoverUntil(page, target, pattern, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const hover = page.locator('.monaco-hover:not(.hidden)');
    while (Date.now() < deadline) {
        await page.mouse.move(5, 5);
        await target.hover();
        try {
            await hover.filter({ hasText: pattern }).first().waitFor({ timeout: 30000 });
            return hover.filter({ hasText: pattern }).first();
        } catch {
            // the server may still be loading the model: hover again
        }
    }
    throw new Error(`no hover matching ${pattern} within ${timeoutMs / 1000} s`);
}

/** The docgen status bar item's icon: check, sync, loading, debug-restart, error, circle-slash. */
async function statusIcon(page) {
    const html = await page.locator('.statusbar-item', { hasText: 'docgen' }).first().innerHTML();
    return /codicon-(check|sync|loading|debug-restart|error|circle-slash)/.exec(html)?.[1] ?? 'none';
}

async function waitForStatus(page, icon, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let seen = '';
    while (Date.now() < deadline) {
        seen = await statusIcon(page);
        if (seen === icon) {
            return;
        }
        await page.waitForTimeout(250);
    }
    throw new Error(`the docgen status bar item shows "${seen}", not "${icon}", after ${timeoutMs / 1000} s`);
}

/** Texts of the notification toasts now on screen. */
async function toasts(page) {
    return page.locator('.notifications-toasts .notification-toast').allInnerTexts();
}

async function clearNotifications(page) {
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.waitForTimeout(500);
}

async function runCommand(page, title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
}

describe('docgen in code-server', { timeout: 600000 }, () => {
    before(async () => {
        const { tools, missing } = locateTools();
        assert.deepEqual(missing, [], `the end-to-end test cannot run:\n${missing.join('\n')}`);
        fs.rmSync(OUT, { recursive: true, force: true });
        fs.mkdirSync(OUT, { recursive: true });
        Object.assign(state, makeWorkspace(tools.sampleRepo));
        // scripts/ci.sh removes this folder if the test is killed before its own clean-up.
        fs.writeFileSync(path.join(OUT, 'workdir'), state.work);
        const docgenSettings = {
            'docgen.interpreter': tools.python,
            'docgen.cachePath': path.join(state.work, 'cache'),
        };
        // DOCGEN_E2E_MODEL: a model folder, or "tiny"; unset: the shipped model when there is one.
        const wanted = process.env.DOCGEN_E2E_MODEL;
        if (wanted && wanted !== 'tiny') {
            docgenSettings['docgen.model'] = wanted;
        } else if (wanted === 'tiny' || !(await hasShippedModel(tools.python))) {
            docgenSettings['docgen.model'] = await buildTinyModel(tools.python, path.join(state.work, 'tiny-t5'));
        }
        fs.writeFileSync(path.join(OUT, 'settings.json'), JSON.stringify(docgenSettings, null, 2));
        state.userDir = writeSettings(state.work, state.ws, docgenSettings);
        const extDir = path.join(state.work, 'extensions');
        state.extDir = extDir;
        state.settings = docgenSettings;
        const installLog = await installExtension(tools, state.userDir, extDir);
        fs.writeFileSync(path.join(OUT, 'install.log'), installLog);
        const port = await freePort();
        state.server = await startCodeServer(tools, {
            userDir: state.userDir,
            extDir,
            port,
            ws: state.ws,
            logFile: path.join(OUT, 'code-server.log'),
        });
        state.browser = await chromium.launch({ executablePath: tools.chromium, headless: true, args: CHROMIUM_ARGS });
        state.page = await state.browser.newPage({ viewport: { width: 1400, height: 860 } });
        await state.page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(state.ws)}`);
        await state.page.locator('.monaco-workbench').waitFor({ timeout: 120000 });
    });

    after(async () => {
        await shot('final');
        await state.browser?.close().catch(() => undefined);
        stopProcessGroup(state.server);
        fs.rmSync(path.join(OUT, 'code-server.log.pid'), { force: true });
        if (state.userDir) {
            keepLogs(state.userDir, OUT);
        }
        if (state.work) {
            fs.rmSync(state.work, { recursive: true, force: true });
            fs.rmSync(path.join(OUT, 'workdir'), { force: true });
        }
    });

    it('starts the server from the packaged extension', async () => {
        await openFile(state.page, TARGET_FILE);
        const firstLine = state.page.locator(EDITOR_LINES, { hasText: 'Prices, taxes' });
        await firstLine.first().waitFor({ timeout: 60000 });
        await revealFunction(state.page, path.join(state.ws, TARGET_FILE), TARGET_FUNCTION);
        try {
            await waitForServer(state.page);
        } finally {
            await shot('01-server-started');
        }
    });

    it('hovers an undocumented function and shows the drafted summary', async () => {
        const name = functionName(state.page, TARGET_FUNCTION);
        const hover = await hoverUntil(state.page, name, /docgen draft \(generated/, 240000);
        const text = await hover.innerText();
        await shot('02-hover-draft');
        fs.writeFileSync(path.join(OUT, 'hover.txt'), text);
        assert.match(text, /def cart_total|cart_total\(/);
        assert.match(text, /confidence \d\.\d\d/);
        // The drafted summary itself: a non-empty paragraph between the marker and the hint.
        const lines = text.split('\n').map((l) => l.trim());
        const start = lines.findIndex((l) => /docgen draft \(generated/.test(l));
        const end = lines.findIndex((l) => /^Not in the source/.test(l));
        const summary = lines.slice(start + 1, end).filter((l) => l !== '');
        assert.ok(start >= 0 && end > start && summary.length > 0, `no drafted summary in the hover:\n${text}`);
    });

    it('inserts the docstring with "docgen: Generate docstring"', async () => {
        const page = state.page;
        await page.mouse.move(5, 5);
        await page.keyboard.press('Escape');
        await functionName(page, TARGET_FUNCTION).click();
        await runCommand(page, 'docgen: Generate docstring');
        await docstringInEditor(page, TARGET_FUNCTION, 240000);
        await page.mouse.move(5, 5);
        await shot('03-docstring-inserted');
        await page.keyboard.press('Control+S');
        await docstringOnDisk(page, TARGET_FUNCTION, 'pricing.after.py');
    });

    it('inserts a docstring from the code action (Ctrl+.)', async () => {
        const page = state.page;
        const name = 'cheapest_items';
        await revealFunction(page, path.join(state.ws, TARGET_FILE), name);
        await functionName(page, name).click();
        await page.keyboard.press('Control+.');
        const action = page.locator('.action-widget .monaco-list-row', { hasText: `Generate docstring for ${name}` });
        await action.first().waitFor({ timeout: 60000 });
        await shot('03b-code-action-menu');
        await action.first().click();
        await docstringInEditor(page, name, 240000);
        await page.keyboard.press('Control+S');
        await docstringOnDisk(page, name, 'pricing.after-action.py');
    });

    it('documents the rest of the file with "docgen: Document this file"', async () => {
        const page = state.page;
        await clearNotifications(page);
        await runCommand(page, 'docgen: Document this file');
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /docgen: inserted \d+ docstrings?\./ });
        await toast.first().waitFor({ timeout: 240000 });
        await page.keyboard.press('Control+S');
        await docstringOnDisk(page, 'iter_price_changes', 'pricing.after-file.py');
    });

    it('updates a stale docstring on save with "source.docgen" in editor.codeActionsOnSave', async () => {
        const page = state.page;
        await page.keyboard.press('Escape');
        await clearNotifications(page);
        // The user opts in (README, "In VS Code"); editor.* settings do not restart the server.
        const settingsFile = path.join(state.ws, '.vscode', 'settings.json');
        const onSave = { ...state.settings, 'editor.codeActionsOnSave': { 'source.docgen': 'explicit' } };
        fs.writeFileSync(settingsFile, JSON.stringify(onSave, null, 2));
        const relative = path.join('inventory', 'shipping.py');
        const file = path.join(state.ws, relative);
        fs.writeFileSync(
            file,
            [
                '"""Shipping."""',
                '',
                '',
                'def ship(order, carrier):',
                '    """Ship an order.',
                '',
                '    Prose the author wrote, kept as it is.',
                '',
                '    Args:',
                '        order: The order.',
                '        courier: Who carries it.',
                '    """',
                '    carrier.take(order)',
                '',
            ].join('\n'),
        );
        await openFile(page, relative);
        await page.locator(EDITOR_LINES, { hasText: 'courier: Who carries it.' }).first().waitFor({ timeout: 60000 });
        // An edit, then an explicit save: the save participant asks for source.docgen actions.
        await page.keyboard.press('Control+End');
        await page.keyboard.type('# saved');
        await page.keyboard.press('Control+S');
        const deadline = Date.now() + 60000;
        let text = '';
        let resaveAt = Date.now() + 8000;
        while (Date.now() < deadline) {
            text = fs.readFileSync(file, 'utf8');
            if (text.includes('# saved') && text.includes('carrier: Who carries it.')) {
                break;
            }
            if (Date.now() > resaveAt) {
                // VS Code reloads a changed .vscode/settings.json on its own schedule: a save
                // made before it has read codeActionsOnSave runs no participant. Save again
                // (a keystroke and its deletion make the buffer dirty without changing it).
                await page.keyboard.press('Control+End');
                await page.keyboard.type(' ');
                await page.keyboard.press('Backspace');
                await page.keyboard.press('Control+S');
                resaveAt = Date.now() + 8000;
            }
            await page.waitForTimeout(500);
        }
        await shot('03c-updated-on-save');
        fs.writeFileSync(path.join(OUT, 'shipping.after-save.py'), text);
        assert.match(text, /\n {8}carrier: Who carries it\.\n/, `the stale entry was not updated on save:\n${text}`);
        assert.ok(!text.includes('courier'), `the old name is still there:\n${text}`);
        assert.ok(text.includes('Prose the author wrote, kept as it is.'), 'the prose was not kept');
        fs.writeFileSync(settingsFile, JSON.stringify(state.settings, null, 2));
    });

    it('indexes the workspace with "docgen: Index workspace" and reports what it did', async () => {
        const page = state.page;
        await page.keyboard.press('Escape');
        await clearNotifications(page);
        // Enough new files that indexing takes a moment, so its progress can be seen.
        const generated = path.join(state.ws, 'generated');
        fs.mkdirSync(generated);
        for (let i = 0; i < GENERATED_FILES; i++) {
            const body = [0, 1, 2].map((j) => `def step_${i}_${j}(value, factor=${j + 1}):\n    return value * factor + ${i}\n`);
            fs.writeFileSync(path.join(generated, `module_${i}.py`), body.join('\n\n'));
        }
        await runCommand(page, 'docgen: Index workspace');
        // The status bar item follows the server's work-done progress ("docgen: indexing").
        const progress = page.locator('.statusbar-item', { hasText: /docgen: indexing/ });
        await progress.first().waitFor({ timeout: 60000 });
        await shot('04-indexing-progress');
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /docgen: indexed \d+ files/ });
        await toast.first().waitFor({ timeout: 300000 });
        const summary = await toast.first().innerText();
        await shot('04-index-workspace');
        const files = Number(/indexed (\d+) files/.exec(summary)?.[1]);
        assert.ok(files >= GENERATED_FILES, `the summary counts ${files} files: ${summary}`);
        await waitForStatus(page, 'check', 60000);
    });

    it('prints latency statistics with "docgen: Show latency stats"', async () => {
        const page = state.page;
        await clearNotifications(page);
        await runCommand(page, 'docgen: Show latency stats');
        // The output panel opens on the docgen channel; its log file holds the whole text.
        // The panel shows the end of the text: since the serving section (tiers, caches,
        // warm-up) the stats are longer than the panel, so match keys of the end as well.
        const panel = page.locator('.part.panel .monaco-editor .view-lines', {
            hasText: /uptime_s|metrics:|options:|p\d\d_ms|hit_rate:|initialize_to_first_drafted_hover_s/,
        });
        try {
            await panel.first().waitFor({ timeout: 60000 });
        } finally {
            await shot('05-latency-stats');
        }
        const text = fs.readFileSync(docgenLogFile(state.userDir), 'utf8');
        const stats = text.slice(text.lastIndexOf('Latency statistics:'));
        assert.match(stats, /^Latency statistics:\nuptime_s: \d/);
        assert.match(stats, /\n {2}\S+:\n {4}count: \d+/);
        await page.keyboard.press('Control+J'); // hide the panel again
    });

    it('restarts a killed server a few times, then stops and says so once', async () => {
        const page = state.page;
        await page.keyboard.press('Escape');
        await clearNotifications(page);
        // Three kills are survived (restarts after 1, 2 and 4 s); the fourth stops the server.
        const killed = new Set();
        for (let kill = 1; kill <= 4; kill++) {
            // Wait for a server that was not killed yet, and for the extension to call it ready.
            const deadline = Date.now() + 90000;
            let fresh = [];
            while (Date.now() < deadline) {
                fresh = serverPids(state.extDir).filter((pid) => !killed.has(pid));
                if (fresh.length === 1 && (await statusIcon(page)) === 'check') {
                    break;
                }
                await page.waitForTimeout(250);
            }
            assert.equal(fresh.length, 1, `expected one new docgen server before kill ${kill}, found ${fresh.length}`);
            process.kill(fresh[0], 'SIGKILL');
            killed.add(fresh[0]);
        }
        await waitForStatus(page, 'error', 30000);
        await page.waitForTimeout(6000);
        assert.deepEqual(serverPids(state.extDir), [], 'the server was restarted after the limit');
        const shown = await toasts(page);
        await shot('06-crash-limit');
        const ours = shown.filter((t) => /stopped 4 times/.test(t));
        assert.equal(ours.length, 1, `expected one crash notification, saw:\n${shown.join('\n---\n')}`);
        assert.ok(!shown.some((t) => /couldn't create connection/.test(t)), 'the language client added its own popup');
        // "docgen: Restart server" brings it back.
        await clearNotifications(page);
        await runCommand(page, 'docgen: Restart server');
        await waitForStatus(page, 'check', 90000);
        assert.equal(serverPids(state.extDir).length, 1);
    });

    it('reports a Python without docgen once, with the fix, and recovers when the setting is fixed', async () => {
        const page = state.page;
        await clearNotifications(page);
        // A real Python without site-packages: docgen cannot be imported there.
        const bare = path.join(state.work, 'bare-python');
        fs.writeFileSync(bare, '#!/bin/sh\nexec python3 -S "$@"\n', { mode: 0o755 });
        const settingsFile = path.join(state.ws, '.vscode', 'settings.json');
        fs.writeFileSync(settingsFile, JSON.stringify({ ...state.settings, 'docgen.interpreter': bare }, null, 2));
        await waitForStatus(page, 'error', 60000);
        await page.waitForTimeout(3000);
        const shown = await toasts(page);
        await shot('07-docgen-not-installed');
        const ours = shown.filter((t) => /docgen is not installed in/.test(t));
        assert.equal(ours.length, 1, `expected one notification, saw:\n${shown.join('\n---\n')}`);
        assert.match(ours[0], /pip install/);
        assert.match(ours[0], /docgen\.interpreter/);
        assert.deepEqual(serverPids(state.extDir), []);
        // Fixing the setting restarts the server by itself (debounced).
        fs.writeFileSync(settingsFile, JSON.stringify(state.settings, null, 2));
        await waitForStatus(page, 'check', 90000);
    });
});
