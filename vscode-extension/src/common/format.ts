/**
 * Turns server command results into text for people. Pure logic, unit-tested.
 */

function formatValue(value: unknown): string {
    if (typeof value === 'number') {
        return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
    }
    if (value === null || value === undefined) {
        return '-';
    }
    if (typeof value === 'object') {
        return JSON.stringify(value);
    }
    return String(value);
}

/**
 * Renders the result of `docgen.stats` as indented `name: value` lines.
 *
 * Nested objects (for example one entry per operation with p50/p95 latencies) become
 * indented blocks, so the output stays readable whatever fields the server adds.
 *
 * @param result The server's result.
 * @param indent Current indentation (used by the recursion).
 * @returns The lines, without a trailing newline.
 */
export function formatStats(result: unknown, indent = ''): string {
    if (result === null || result === undefined) {
        return `${indent}(no statistics yet)`;
    }
    if (typeof result !== 'object' || Array.isArray(result)) {
        return `${indent}${formatValue(result)}`;
    }
    const entries = Object.entries(result as Record<string, unknown>);
    if (entries.length === 0) {
        return `${indent}(no statistics yet)`;
    }
    return entries
        .map(([key, value]) =>
            value !== null && typeof value === 'object' && !Array.isArray(value)
                ? `${indent}${key}:\n${formatStats(value, `${indent}  `)}`
                : `${indent}${key}: ${formatValue(value)}`,
        )
        .join('\n');
}

/** Drops a leading "docgen: " (the extension adds its own). */
function withoutPrefix(text: string): string {
    return text.trim().replace(/^docgen:\s*/, '');
}

/**
 * A one-line summary of a command's result, when the server sent one.
 *
 * Accepts a plain string, or an object with a `message` (or `summary`) field.
 *
 * @param result The server's result.
 * @returns The message, or undefined when the result carries none.
 */
export function resultMessage(result: unknown): string | undefined {
    if (typeof result === 'string' && result.trim() !== '') {
        return withoutPrefix(result);
    }
    if (result !== null && typeof result === 'object') {
        const record = result as Record<string, unknown>;
        for (const key of ['message', 'summary']) {
            const value = record[key];
            if (typeof value === 'string' && value.trim() !== '') {
                return withoutPrefix(value);
            }
        }
    }
    return undefined;
}

export interface EditOutcome {
    /** `applied`: edits were made; `nothing`: nothing to do; `failed`: the editor refused. */
    kind: 'applied' | 'nothing' | 'failed';
    message: string;
}

/**
 * Reads the result of `docgen.generateDocstring` / `docgen.documentFile`
 * (`{applied, edits, reason}`) into what to tell the user.
 *
 * @param result The server's result.
 * @returns The outcome and a message for it.
 */
export function editOutcome(result: unknown): EditOutcome {
    const record = result !== null && typeof result === 'object' ? (result as Record<string, unknown>) : {};
    const edits = typeof record.edits === 'number' ? record.edits : 0;
    const reason = typeof record.reason === 'string' && record.reason.trim() !== '' ? record.reason.trim() : undefined;
    if (record.applied === true) {
        return { kind: 'applied', message: edits === 1 ? 'inserted 1 docstring.' : `inserted ${edits} docstrings.` };
    }
    if (edits === 0) {
        return { kind: 'nothing', message: reason ?? resultMessage(result) ?? 'nothing to insert.' };
    }
    return {
        kind: 'failed',
        message: `the editor refused the edit${reason ? `: ${reason}` : ''}. Is the file read-only or changed meanwhile?`,
    };
}
