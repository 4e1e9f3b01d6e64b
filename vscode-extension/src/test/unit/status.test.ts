import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusModel } from '../../common/status';

describe('StatusModel', () => {
    it('shows indexing progress with its percentage, then ready', () => {
        const model = new StatusModel();
        model.setState({ kind: 'ready' });
        model.onProgress('t1', { kind: 'begin', title: 'docgen: indexing', percentage: 0 });
        model.onProgress('t1', { kind: 'report', message: '12/40 files', percentage: 30 });
        assert.equal(model.view().text, '$(sync~spin) docgen: indexing 30%');
        assert.equal(model.view().tooltip, 'docgen: indexing — 12/40 files');
        model.onProgress('t1', { kind: 'end' });
        assert.equal(model.view().text, '$(check) docgen');
    });

    it('shows the most recent of several running progress reports', () => {
        const model = new StatusModel();
        model.setState({ kind: 'ready' });
        model.onProgress(1, { kind: 'begin', title: 'docgen: indexing' });
        model.onProgress(2, { kind: 'begin', title: 'docgen: loading model' });
        assert.equal(model.view().text, '$(sync~spin) docgen: loading model');
        model.onProgress(2, { kind: 'end' });
        assert.equal(model.view().text, '$(sync~spin) docgen: indexing');
    });

    it('ignores reports for unknown tokens', () => {
        const model = new StatusModel();
        model.setState({ kind: 'ready' });
        model.onProgress('x', { kind: 'report', percentage: 50 });
        assert.equal(model.view().text, '$(check) docgen');
    });

    it('flags errors and drops progress when the server goes down', () => {
        const model = new StatusModel();
        model.setState({ kind: 'ready' });
        model.onProgress('t', { kind: 'begin', title: 'docgen: indexing' });
        model.setState({ kind: 'error', message: 'docgen is not installed' });
        const view = model.view();
        assert.equal(view.text, '$(error) docgen');
        assert.equal(view.alarm, true);
        assert.match(view.tooltip, /not installed/);
        model.setState({ kind: 'ready' });
        assert.equal(model.view().text, '$(check) docgen');
    });

    it('says when an automatic restart will happen', () => {
        const model = new StatusModel();
        model.setState({ kind: 'restarting', delayMs: 2500 });
        assert.match(model.view().tooltip, /restarting in 3 s/);
    });
});
