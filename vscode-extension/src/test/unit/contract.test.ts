// The extension's settings against its package.json and against the server's own options.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ClientCommands } from '../../common/constants';
import { DEFAULT_OPTIONS, ENGINE_BACKENDS, LAUNCH_SETTING_NAMES, OPTION_NAMES, SEVERITIES, STYLES } from '../../common/settings';

const extensionRoot = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; enum?: string[] }> = manifest.contributes.configuration.properties;
const venvPython = path.resolve(extensionRoot, '..', '.venv', 'bin', 'python');

describe('package.json settings', () => {
    it('declares exactly docgen.<option> for every server option, plus the launch settings', () => {
        const declared = Object.keys(properties).sort();
        const expected = [...OPTION_NAMES, ...LAUNCH_SETTING_NAMES].map((n) => `docgen.${n}`).sort();
        assert.deepEqual(declared, expected);
    });

    it('uses the same defaults and choices as the settings module', () => {
        for (const name of OPTION_NAMES) {
            assert.deepEqual(properties[`docgen.${name}`].default, DEFAULT_OPTIONS[name], `default of docgen.${name}`);
        }
        assert.deepEqual(properties['docgen.style'].enum, [...STYLES]);
        assert.deepEqual(properties['docgen.diagnosticSeverity'].enum, [...SEVERITIES]);
        assert.deepEqual(properties['docgen.staleSeverity'].enum, [...SEVERITIES]);
        assert.deepEqual(properties['docgen.engineBackend'].enum, [...ENGINE_BACKENDS]);
    });

    it('contributes every command the extension registers', () => {
        const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
        assert.deepEqual(contributed, Object.values(ClientCommands).sort());
    });
});

describe('server options contract', () => {
    it('matches the names and defaults of lsp.options', { skip: !fs.existsSync(venvPython) }, () => {
        const code =
            'import json; from lsp.options import ServerOptions, options_to_json; ' +
            'print(json.dumps(options_to_json(ServerOptions())))';
        const out = execFileSync(venvPython, ['-c', code], { cwd: extensionRoot, encoding: 'utf8', timeout: 60000 });
        assert.deepEqual(JSON.parse(out), { ...DEFAULT_OPTIONS });
    });
});
