/**
 * What the status bar item says: the server state plus any work-done progress
 * (such as "docgen: indexing") the server reports.
 *
 * Pure logic, unit-tested under plain node; `statusBar.ts` renders it.
 */

export type ServerState =
    | { kind: 'starting' }
    | { kind: 'ready' }
    | { kind: 'restarting'; delayMs: number }
    | { kind: 'error'; message: string }
    | { kind: 'stopped' };

/** The subset of LSP `$/progress` values this module reads. */
export type ProgressValue =
    | { kind: 'begin'; title: string; message?: string; percentage?: number }
    | { kind: 'report'; message?: string; percentage?: number }
    | { kind: 'end'; message?: string };

interface ActiveProgress {
    title: string;
    message?: string;
    percentage?: number;
}

export interface StatusView {
    text: string;
    tooltip: string;
    /** True for states that need the user's attention (error background). */
    alarm: boolean;
}

/** Tracks the server state and its running progress reports. */
export class StatusModel {
    private state: ServerState = { kind: 'stopped' };
    private readonly progress = new Map<string, ActiveProgress>();

    /** Sets the server state; leaving the running states clears stale progress. */
    setState(state: ServerState): void {
        this.state = state;
        if (state.kind !== 'ready') {
            this.progress.clear();
        }
    }

    get serverState(): ServerState {
        return this.state;
    }

    /**
     * Applies one `$/progress` notification.
     *
     * @param token The progress token (numbers and strings are both allowed by LSP).
     * @param value The notification's value.
     */
    onProgress(token: string | number, value: ProgressValue): void {
        const key = String(token);
        if (value.kind === 'begin') {
            this.progress.set(key, { title: value.title, message: value.message, percentage: value.percentage });
        } else if (value.kind === 'report') {
            const active = this.progress.get(key);
            if (active !== undefined) {
                active.message = value.message ?? active.message;
                active.percentage = value.percentage ?? active.percentage;
            }
        } else {
            this.progress.delete(key);
        }
    }

    /** The most recently begun progress still running, if any. */
    private latestProgress(): ActiveProgress | undefined {
        let latest: ActiveProgress | undefined;
        for (const p of this.progress.values()) {
            latest = p;
        }
        return latest;
    }

    /** The text, tooltip and colour the status bar item shows now. */
    view(): StatusView {
        const busy = this.state.kind === 'ready' ? this.latestProgress() : undefined;
        if (busy !== undefined) {
            const pct = busy.percentage === undefined ? '' : ` ${Math.round(busy.percentage)}%`;
            const title = busy.title.replace(/^docgen:\s*/, '');
            return {
                text: `$(sync~spin) docgen: ${title}${pct}`,
                tooltip: `${busy.title}${busy.message ? ` — ${busy.message}` : ''}`,
                alarm: false,
            };
        }
        switch (this.state.kind) {
            case 'starting':
                return { text: '$(loading~spin) docgen', tooltip: 'docgen: starting the server…', alarm: false };
            case 'ready':
                return { text: '$(check) docgen', tooltip: 'docgen: ready. Click for the server log.', alarm: false };
            case 'restarting':
                return {
                    text: '$(debug-restart) docgen',
                    tooltip: `docgen: the server stopped; restarting in ${Math.ceil(this.state.delayMs / 1000)} s.`,
                    alarm: false,
                };
            case 'error':
                return { text: '$(error) docgen', tooltip: `docgen: ${this.state.message}`, alarm: true };
            case 'stopped':
                return { text: '$(circle-slash) docgen', tooltip: 'docgen: the server is not running.', alarm: false };
        }
    }
}
