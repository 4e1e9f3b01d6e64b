import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editOutcome, formatStats, resultMessage } from '../../common/format';

describe('formatStats', () => {
    it('renders nested latency tables as indented lines', () => {
        const text = formatStats({ hover: { count: 3, p50_ms: 12.3456, p95_ms: 40.25 }, cache_hits: 2 });
        assert.equal(text, 'hover:\n  count: 3\n  p50_ms: 12.3\n  p95_ms: 40.3\ncache_hits: 2');
    });
    it('says when there is nothing yet', () => {
        assert.equal(formatStats(null), '(no statistics yet)');
        assert.equal(formatStats({}), '(no statistics yet)');
    });
    it('rounds small numbers to three places', () => {
        assert.equal(formatStats({ ratio: 0.123456 }), 'ratio: 0.123');
    });
});

describe('resultMessage', () => {
    it('reads a string or a message/summary field', () => {
        assert.equal(resultMessage(' done '), 'done');
        assert.equal(resultMessage({ message: 'Indexed 3 files' }), 'Indexed 3 files');
        assert.equal(resultMessage({ summary: 'ok' }), 'ok');
        assert.equal(resultMessage({ summary: 'docgen: indexing failed: disk full.' }), 'indexing failed: disk full.');
    });
    it('is undefined when there is nothing to say', () => {
        assert.equal(resultMessage(null), undefined);
        assert.equal(resultMessage({ count: 1 }), undefined);
        assert.equal(resultMessage(''), undefined);
    });
});

describe('editOutcome', () => {
    it('counts applied edits', () => {
        assert.deepEqual(editOutcome({ applied: true, edits: 1, reason: null }), { kind: 'applied', message: 'inserted 1 docstring.' });
        assert.equal(editOutcome({ applied: true, edits: 4 }).message, 'inserted 4 docstrings.');
    });
    it('passes on why nothing was inserted', () => {
        assert.deepEqual(editOutcome({ applied: false, reason: 'no function or class at that position' }), {
            kind: 'nothing',
            message: 'no function or class at that position',
        });
        assert.equal(editOutcome(null).kind, 'nothing');
    });
    it('reports an edit the editor refused', () => {
        const outcome = editOutcome({ applied: false, edits: 2, reason: 'file is read-only' });
        assert.equal(outcome.kind, 'failed');
        assert.match(outcome.message, /refused the edit: file is read-only/);
    });
});
