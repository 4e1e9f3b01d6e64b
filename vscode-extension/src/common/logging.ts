/**
 * The "docgen" output channel: the extension's own messages and the server's log
 * (its stderr and window/logMessage) share it.
 */
import { LogOutputChannel, window } from 'vscode';
import { SERVER_NAME } from './constants';

let channel: LogOutputChannel | undefined;

/** Creates the channel once; later calls return the same one. */
export function getOutputChannel(): LogOutputChannel {
    if (channel === undefined) {
        channel = window.createOutputChannel(SERVER_NAME, { log: true });
    }
    return channel;
}

export function traceInfo(message: string): void {
    getOutputChannel().info(message);
}

export function traceWarn(message: string): void {
    getOutputChannel().warn(message);
}

export function traceError(message: string, error?: unknown): void {
    const detail = error instanceof Error ? `: ${error.message}` : error === undefined ? '' : `: ${String(error)}`;
    getOutputChannel().error(`${message}${detail}`);
}

/** Disposes the channel (on deactivate). */
export function disposeOutputChannel(): void {
    channel?.dispose();
    channel = undefined;
}
