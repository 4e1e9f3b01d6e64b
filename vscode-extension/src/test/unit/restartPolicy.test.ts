import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrashLimiter, Debouncer, Timers } from '../../common/restartPolicy';

/** A manual clock: timers fire only when advance() passes their due time. */
class FakeTimers implements Timers {
    now = 0;
    private next = 1;
    private readonly due = new Map<number, { at: number; fn: () => void }>();

    setTimeout(fn: () => void, ms: number): unknown {
        const id = this.next++;
        this.due.set(id, { at: this.now + ms, fn });
        return id;
    }

    clearTimeout(handle: unknown): void {
        this.due.delete(handle as number);
    }

    advance(ms: number): void {
        this.now += ms;
        for (const [id, t] of [...this.due]) {
            if (t.at <= this.now) {
                this.due.delete(id);
                t.fn();
            }
        }
    }
}

describe('Debouncer', () => {
    it('runs once, after the quiet period, however many triggers came', () => {
        const timers = new FakeTimers();
        const debouncer = new Debouncer(1000, timers);
        const runs: string[] = [];
        debouncer.trigger(() => runs.push('a'));
        timers.advance(500);
        debouncer.trigger(() => runs.push('b'));
        timers.advance(900);
        assert.deepEqual(runs, []);
        assert.equal(debouncer.pending, true);
        timers.advance(100);
        assert.deepEqual(runs, ['b']);
        assert.equal(debouncer.pending, false);
    });

    it('cancel drops the waiting action', () => {
        const timers = new FakeTimers();
        const debouncer = new Debouncer(10, timers);
        let ran = false;
        debouncer.trigger(() => (ran = true));
        debouncer.cancel();
        timers.advance(100);
        assert.equal(ran, false);
    });

    it('works with the real timers', async () => {
        const debouncer = new Debouncer(20);
        let count = 0;
        debouncer.trigger(() => count++);
        debouncer.trigger(() => count++);
        await new Promise((r) => setTimeout(r, 80));
        assert.equal(count, 1);
    });
});

describe('CrashLimiter', () => {
    const policy = { maxRestarts: 3, windowMs: 60000, baseDelayMs: 1000, maxDelayMs: 3000 };

    it('restarts with doubling, capped delays, then stops', () => {
        let now = 0;
        const limiter = new CrashLimiter(policy, () => now);
        const delays = [1, 2, 3].map(() => {
            now += 100;
            const d = limiter.recordCrash();
            assert.equal(d.restart, true);
            return d.restart ? d.delayMs : -1;
        });
        assert.deepEqual(delays, [1000, 2000, 3000]);
        now += 100;
        assert.deepEqual(limiter.recordCrash(), { restart: false, crashesInWindow: 4 });
    });

    it('forgets crashes older than the window', () => {
        let now = 0;
        const limiter = new CrashLimiter(policy, () => now);
        limiter.recordCrash();
        limiter.recordCrash();
        limiter.recordCrash();
        now += 60000;
        const d = limiter.recordCrash();
        assert.deepEqual(d, { restart: true, delayMs: 1000, crashesInWindow: 1 });
    });

    it('reset starts counting afresh', () => {
        const limiter = new CrashLimiter(policy, () => 0);
        for (let i = 0; i < 4; i++) {
            limiter.recordCrash();
        }
        limiter.reset();
        assert.equal(limiter.recordCrash().restart, true);
    });
});
