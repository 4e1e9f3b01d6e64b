/**
 * When to restart the server: a debounce for settings changes and a crash limiter with
 * backoff, so a server that keeps dying is reported once instead of restarted forever.
 *
 * Pure logic with injectable clocks and timers, unit-tested under plain node.
 */

export interface Timers {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Runs the last triggered action once no trigger has come for `delayMs`. */
export class Debouncer {
    private handle: unknown = undefined;

    /**
     * @param delayMs Quiet time before the action runs.
     * @param timers Timer functions (fake ones in tests).
     */
    constructor(
        private readonly delayMs: number,
        private readonly timers: Timers = realTimers,
    ) {}

    /** Schedules `action`, replacing any action still waiting. */
    trigger(action: () => void): void {
        this.cancel();
        this.handle = this.timers.setTimeout(() => {
            this.handle = undefined;
            action();
        }, this.delayMs);
    }

    /** True while an action waits to run. */
    get pending(): boolean {
        return this.handle !== undefined;
    }

    /** Drops the waiting action, if any. */
    cancel(): void {
        if (this.handle !== undefined) {
            this.timers.clearTimeout(this.handle);
            this.handle = undefined;
        }
    }

    dispose(): void {
        this.cancel();
    }
}

export interface CrashPolicy {
    /** Automatic restarts allowed inside `windowMs`; the next crash stops the server. */
    maxRestarts: number;
    /** Crashes older than this are forgotten. */
    windowMs: number;
    /** Delay before the first automatic restart; doubled for each further crash. */
    baseDelayMs: number;
    /** Upper bound of the delay. */
    maxDelayMs: number;
}

export const DEFAULT_CRASH_POLICY: Readonly<CrashPolicy> = Object.freeze({
    maxRestarts: 3,
    windowMs: 3 * 60 * 1000,
    baseDelayMs: 1000,
    maxDelayMs: 16000,
});

export type CrashDecision =
    | { restart: true; delayMs: number; crashesInWindow: number }
    | { restart: false; crashesInWindow: number };

/** Counts crashes in a sliding window and decides whether to restart, and after how long. */
export class CrashLimiter {
    private crashes: number[] = [];

    /**
     * @param policy Limits and delays.
     * @param now Clock in milliseconds (a fake one in tests).
     */
    constructor(
        private readonly policy: CrashPolicy = DEFAULT_CRASH_POLICY,
        private readonly now: () => number = Date.now,
    ) {}

    /**
     * Records a crash and decides what to do about it.
     *
     * @returns Restart after `delayMs`, or stop (the limit is reached).
     */
    recordCrash(): CrashDecision {
        const t = this.now();
        this.crashes = this.crashes.filter((c) => t - c < this.policy.windowMs);
        this.crashes.push(t);
        const count = this.crashes.length;
        if (count > this.policy.maxRestarts) {
            return { restart: false, crashesInWindow: count };
        }
        const delayMs = Math.min(this.policy.baseDelayMs * 2 ** (count - 1), this.policy.maxDelayMs);
        return { restart: true, delayMs, crashesInWindow: count };
    }

    /** Forgets past crashes (after a restart the user asked for). */
    reset(): void {
        this.crashes = [];
    }
}
