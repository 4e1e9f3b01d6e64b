import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
    affectsServer,
    DEFAULT_OPTIONS,
    expandPath,
    OPTION_NAMES,
    readServerOptions,
} from '../../common/settings';

const WS = '/home/u/project';
const ctx = { workspaceFolder: WS, home: '/home/u' };

function getter(values: Record<string, unknown>): (name: string) => unknown {
    return (name) => values[name];
}

describe('readServerOptions', () => {
    it('gives the defaults when nothing is set', () => {
        const { options, problems } = readServerOptions(getter({}), ctx);
        assert.deepEqual(options, DEFAULT_OPTIONS);
        assert.deepEqual(problems, []);
    });

    it('maps every docgen.<name> setting onto the option of the same name', () => {
        const values = {
            model: '/models/t5',
            style: 'numpy',
            diagnosticSeverity: 'hint',
            staleSeverity: 'error',
            minConfidence: 0.25,
            includePrivate: true,
            cachePath: '/tmp/cache',
            threads: 2,
            indexOnStartup: false,
            corpus: false,
            accurateModel: '/models/codet5-base',
            hoverBudgetMs: 400,
            generateBudgetMs: 5000,
            degradation: false,
            encoderCacheMb: 0,
            warmUp: false,
            engineBackend: 'openvino-bf16',
        };
        const { options, problems } = readServerOptions(getter(values), ctx);
        assert.deepEqual(options, values);
        assert.deepEqual(problems, []);
        assert.deepEqual(Object.keys(options).sort(), [...OPTION_NAMES].sort());
    });

    it('refuses a budget that is not above 0 and a negative encoder cache', () => {
        const { options, problems } = readServerOptions(
            getter({ hoverBudgetMs: 0, generateBudgetMs: 'fast', encoderCacheMb: -1, accurateModel: 7 }),
            ctx,
        );
        assert.equal(options.hoverBudgetMs, DEFAULT_OPTIONS.hoverBudgetMs);
        assert.equal(options.generateBudgetMs, DEFAULT_OPTIONS.generateBudgetMs);
        assert.equal(options.encoderCacheMb, DEFAULT_OPTIONS.encoderCacheMb);
        assert.equal(options.accurateModel, null);
        assert.equal(problems.length, 4);
        assert.equal(readServerOptions(getter({ encoderCacheMb: 0 }), ctx).options.encoderCacheMb, 0);
    });

    it('refuses an engine path the server does not know', () => {
        const { options, problems } = readServerOptions(getter({ engineBackend: 'cuda' }), ctx);
        assert.equal(options.engineBackend, 'auto');
        assert.equal(problems.length, 1);
        assert.match(problems[0], /docgen\.engineBackend/);
    });

    it('replaces each invalid value by its default and reports it', () => {
        const { options, problems } = readServerOptions(
            getter({ style: 'javadoc', diagnosticSeverity: 3, minConfidence: 1.5, threads: -1, includePrivate: 'yes' }),
            ctx,
        );
        assert.equal(options.style, 'auto');
        assert.equal(options.diagnosticSeverity, DEFAULT_OPTIONS.diagnosticSeverity);
        assert.equal(options.minConfidence, DEFAULT_OPTIONS.minConfidence);
        assert.equal(options.threads, null);
        assert.equal(options.includePrivate, false);
        assert.equal(problems.length, 5);
        assert.match(problems[0], /docgen\.style: "javadoc" is not one of auto, google, numpy, sphinx, pep257/);
    });

    it('treats empty strings and 0 threads as "not set"', () => {
        const { options, problems } = readServerOptions(getter({ model: '  ', cachePath: '', threads: 0 }), ctx);
        assert.equal(options.model, null);
        assert.equal(options.cachePath, null);
        assert.equal(options.threads, null);
        assert.deepEqual(problems, []);
    });

    it('rejects a fractional thread count and NaN confidence', () => {
        const { options, problems } = readServerOptions(getter({ threads: 1.5, minConfidence: Number.NaN }), ctx);
        assert.equal(options.threads, null);
        assert.equal(options.minConfidence, DEFAULT_OPTIONS.minConfidence);
        assert.equal(problems.length, 2);
    });

    it('resolves the cache path against the workspace folder and expands variables', () => {
        assert.equal(readServerOptions(getter({ cachePath: '.cache/docgen' }), ctx).options.cachePath, path.join(WS, '.cache/docgen'));
        assert.equal(readServerOptions(getter({ cachePath: '~/c' }), ctx).options.cachePath, '/home/u/c');
        assert.equal(readServerOptions(getter({ cachePath: '${workspaceFolder}/x' }), ctx).options.cachePath, `${WS}/x`);
    });

    it('keeps a model id as is but resolves explicit relative model folders', () => {
        const id = 'Salesforce/codet5-base-multi-sum';
        assert.equal(readServerOptions(getter({ model: id }), ctx).options.model, id);
        assert.equal(readServerOptions(getter({ model: './models/t5' }), ctx).options.model, path.join(WS, 'models/t5'));
        assert.equal(readServerOptions(getter({ model: '${userHome}/m' }), ctx).options.model, '/home/u/m');
    });
});

describe('expandPath', () => {
    it('leaves ${workspaceFolder} alone when no folder is open', () => {
        assert.equal(expandPath('${workspaceFolder}/x', { home: '/h' }), '${workspaceFolder}/x');
    });
    it('expands only a leading ~', () => {
        assert.equal(expandPath('a/~/b', { home: '/h' }), 'a/~/b');
        assert.equal(expandPath('~', { home: '/h' }), '/h');
    });
});

describe('affectsServer', () => {
    it('is true for server options and the interpreter', () => {
        assert.equal(affectsServer((s) => s === 'docgen.style'), true);
        assert.equal(affectsServer((s) => s === 'docgen.interpreter'), true);
    });
    it('is false for unrelated settings', () => {
        assert.equal(affectsServer((s) => s === 'editor.fontSize'), false);
    });
});
