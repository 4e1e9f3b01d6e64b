import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
    checkDocgenImport,
    DEFAULT_PYTHON,
    importFailureMessage,
    interpreterInEnvironment,
    resolveInterpreter,
    safePythonEnv,
} from '../../common/interpreter';

const ctx = { workspaceFolder: '/ws', home: '/home/u' };

describe('resolveInterpreter', () => {
    it('prefers the docgen.interpreter setting', () => {
        assert.deepEqual(resolveInterpreter('/opt/py/bin/python', '/env/bin/python', ctx), {
            command: '/opt/py/bin/python',
            source: 'setting',
        });
    });

    it('falls back to the Python extension, then to python3', () => {
        assert.deepEqual(resolveInterpreter('', '/env/bin/python', ctx), { command: '/env/bin/python', source: 'python-extension' });
        assert.deepEqual(resolveInterpreter(undefined, undefined, ctx), { command: DEFAULT_PYTHON, source: 'default' });
        assert.deepEqual(resolveInterpreter('   ', '', ctx), { command: 'python3', source: 'default' });
    });

    it('expands variables and resolves relative paths against the workspace folder', () => {
        assert.equal(resolveInterpreter('${workspaceFolder}/.venv/bin/python', undefined, ctx).command, '/ws/.venv/bin/python');
        assert.equal(resolveInterpreter('.venv/bin/python', undefined, ctx).command, '/ws/.venv/bin/python');
        assert.equal(resolveInterpreter('~/py/bin/python', undefined, ctx).command, '/home/u/py/bin/python');
        // A bare command name is looked up on PATH, not in the workspace.
        assert.equal(resolveInterpreter('python3.11', undefined, ctx).command, 'python3.11');
    });

    it('accepts the template-style array setting', () => {
        assert.equal(resolveInterpreter(['/a/python'], undefined, ctx).command, '/a/python');
    });
});

describe('interpreterInEnvironment', () => {
    it('maps an environment folder to its python and keeps executables', () => {
        assert.equal(interpreterInEnvironment('/envs/a', () => true), path.join('/envs/a', 'bin', 'python'));
        assert.equal(interpreterInEnvironment('/envs/a/bin/python', () => false), '/envs/a/bin/python');
    });
});

describe('safePythonEnv', () => {
    it('sets PYTHONSAFEPATH and drops PYTHONPATH without touching the input', () => {
        const base = { PATH: '/bin', PYTHONPATH: '/repo' };
        const env = safePythonEnv(base);
        assert.equal(env.PYTHONSAFEPATH, '1');
        assert.equal(env.PYTHONPATH, undefined);
        assert.equal(base.PYTHONPATH, '/repo');
    });
});

describe('checkDocgenImport (real interpreters)', () => {
    const repoRoot = path.resolve(__dirname, '../../../..');
    const venvPython = path.join(repoRoot, '.venv', 'bin', 'python');
    let tmp = '';

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docgen-interp-'));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    function script(name: string, body: string): string {
        const file = path.join(tmp, name);
        fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        return file;
    }

    it('passes for the project virtualenv, even from a folder with a hostile lsp.py', { skip: !fs.existsSync(venvPython) }, async () => {
        const hostile = fs.mkdtempSync(path.join(tmp, 'repo-'));
        fs.writeFileSync(path.join(hostile, 'lsp.py'), 'raise SystemExit("user code ran")\n');
        assert.deepEqual(await checkDocgenImport(venvPython, hostile, 60000), { ok: true });
    });

    it('reports a missing interpreter as not-found', async () => {
        const result = await checkDocgenImport(path.join(tmp, 'no-such-python'), tmp, 5000);
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.reason, 'not-found');
        const message = importFailureMessage({ command: 'x', source: 'setting' }, result as never);
        assert.match(message, /was not found\. Set "docgen\.interpreter"/);
    });

    it('reports a Python without docgen as import-failed, with the fix', async () => {
        // -S: a real Python without site-packages, so docgen cannot be imported.
        const bare = script('bare-python', 'exec python3 -S "$@"');
        const result = await checkDocgenImport(bare, tmp, 30000);
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.reason, 'import-failed');
        assert.match(!result.ok ? result.detail : '', /ModuleNotFoundError: No module named '(lsp|assistant)'/);
        const message = importFailureMessage({ command: bare, source: 'default' }, result as never);
        assert.match(message, /docgen is not installed in .*pip install/);
    });

    it('reports a hanging interpreter as timeout', async () => {
        const slow = script('slow-python', 'sleep 10');
        const started = Date.now();
        const result = await checkDocgenImport(slow, tmp, 300);
        assert.equal(!result.ok && result.reason, 'timeout');
        assert.ok(Date.now() - started < 5000);
    });
});
