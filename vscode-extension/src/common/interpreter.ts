/**
 * Which Python runs the server, and whether docgen is installed in it.
 *
 * No `vscode` import: the Python extension's answer is passed in by the caller, so the
 * resolution order and the import check are unit-tested under plain node.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expandPath, PathContext } from './settings';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Interpreter {
    /** Executable to run. */
    command: string;
    /** Where the choice came from, for the log and the error messages. */
    source: InterpreterSource;
}

/** Used when neither the setting nor the Python extension names an interpreter. */
export const DEFAULT_PYTHON = 'python3';

function nonEmpty(value: unknown): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') {
        return value.trim();
    }
    if (Array.isArray(value) && typeof value[0] === 'string' && value[0].trim() !== '') {
        // The template's array form: ["/path/to/python"].
        return value[0].trim();
    }
    return undefined;
}

/**
 * Maps a Python environment path to its interpreter.
 *
 * The Python extension reports either an executable or an environment folder; a folder
 * becomes `<folder>/bin/python` (`Scripts\python.exe` on Windows).
 *
 * @param envPath What the Python extension returned.
 * @param isDirectory Tells whether a path is a folder (injected for tests).
 * @returns The interpreter path.
 */
export function interpreterInEnvironment(
    envPath: string,
    isDirectory: (p: string) => boolean = (p) => fs.existsSync(p) && fs.statSync(p).isDirectory(),
): string {
    if (!isDirectory(envPath)) {
        return envPath;
    }
    return process.platform === 'win32'
        ? path.join(envPath, 'Scripts', 'python.exe')
        : path.join(envPath, 'bin', 'python');
}

/**
 * Picks the interpreter: the `docgen.interpreter` setting, else the Python extension's
 * selected interpreter, else `python3`.
 *
 * @param setting Raw value of `docgen.interpreter` (a string; an array's first item is accepted).
 * @param pythonExtensionPath The Python extension's active interpreter, if it is installed.
 * @param ctx Expands `${workspaceFolder}` and `~` in the setting.
 * @returns The interpreter and where it came from.
 */
export function resolveInterpreter(
    setting: unknown,
    pythonExtensionPath: string | undefined,
    ctx: PathContext = {},
): Interpreter {
    const fromSetting = nonEmpty(setting);
    if (fromSetting !== undefined) {
        const expanded = expandPath(fromSetting, ctx);
        const resolved =
            expanded.includes(path.sep) && !path.isAbsolute(expanded) && ctx.workspaceFolder !== undefined
                ? path.resolve(ctx.workspaceFolder, expanded)
                : expanded;
        return { command: resolved, source: 'setting' };
    }
    const fromExtension = nonEmpty(pythonExtensionPath);
    if (fromExtension !== undefined) {
        return { command: fromExtension, source: 'python-extension' };
    }
    return { command: DEFAULT_PYTHON, source: 'default' };
}

export type ImportCheck =
    | { ok: true }
    | { ok: false; reason: 'not-found' | 'import-failed' | 'timeout'; detail: string };

/** Python code run by the check: imports only, nothing from the user's repository. */
export const IMPORT_CHECK_CODE = 'import lsp, assistant';

/**
 * Environment for every Python process the extension starts: the current directory and
 * PYTHONPATH never put the documented repository's modules ahead of docgen's.
 *
 * @param base The environment to start from.
 * @returns A copy with PYTHONSAFEPATH set and PYTHONPATH removed.
 */
export function safePythonEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base, PYTHONSAFEPATH: '1', PYTHONUNBUFFERED: '1' };
    delete env.PYTHONPATH;
    return env;
}

/**
 * Checks that `import lsp, assistant` works in an interpreter.
 *
 * @param python The interpreter to check.
 * @param cwd A folder with no Python code of the user's (the extension's own folder).
 * @param timeoutMs How long the import may take.
 * @returns `ok`, or why it failed with the interpreter's own message.
 */
export function checkDocgenImport(python: string, cwd: string, timeoutMs: number): Promise<ImportCheck> {
    return new Promise((resolve) => {
        execFile(
            python,
            ['-c', IMPORT_CHECK_CODE],
            { cwd, env: safePythonEnv(process.env), timeout: timeoutMs, windowsHide: true },
            (error, _stdout, stderr) => {
                if (!error) {
                    resolve({ ok: true });
                    return;
                }
                const err = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
                if (err.code === 'ENOENT' || err.code === 'EACCES') {
                    resolve({ ok: false, reason: 'not-found', detail: `${python}: ${err.code}` });
                } else if (err.killed || err.signal === 'SIGTERM') {
                    resolve({ ok: false, reason: 'timeout', detail: `no answer after ${timeoutMs} ms` });
                } else {
                    const lastLine = String(stderr).trim().split('\n').pop() ?? err.message;
                    resolve({ ok: false, reason: 'import-failed', detail: lastLine });
                }
            },
        );
    });
}

/**
 * The message shown when the check fails: what went wrong and how to fix it.
 *
 * @param interp The interpreter that was checked.
 * @param check The failed result.
 * @returns One sentence-level message for a notification.
 */
export function importFailureMessage(interp: Interpreter, check: Exclude<ImportCheck, { ok: true }>): string {
    const origin: Record<InterpreterSource, string> = {
        setting: 'from the docgen.interpreter setting',
        'python-extension': 'selected in the Python extension',
        default: 'the default',
    };
    const which = `${interp.command} (${origin[interp.source]})`;
    const fix =
        `Install docgen into it (\`${interp.command} -m pip install <path-to-docgen-repo>\`) ` +
        'or set "docgen.interpreter" to a Python that has docgen installed.';
    switch (check.reason) {
        case 'not-found':
            return `docgen: the Python interpreter ${which} was not found. Set "docgen.interpreter" to a Python that has docgen installed.`;
        case 'timeout':
            return `docgen: ${which} did not answer within the time limit while importing docgen (${check.detail}). ${fix}`;
        default:
            return `docgen is not installed in ${which}: ${check.detail}. ${fix}`;
    }
}
