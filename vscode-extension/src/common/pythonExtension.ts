/**
 * The interpreter selected in the Python extension (ms-python.python), when it is installed.
 * Its absence, or an API shape this code does not know, simply yields `undefined`.
 */
import { Disposable, Event, extensions, Uri } from 'vscode';
import { traceWarn } from './logging';
import { interpreterInEnvironment } from './interpreter';

const PYTHON_EXTENSION_ID = 'ms-python.python';

interface EnvironmentPath {
    readonly id: string;
    readonly path: string;
}

interface ResolvedEnvironment {
    readonly executable: { readonly uri: Uri | undefined };
}

interface EnvironmentsApi {
    getActiveEnvironmentPath(resource?: Uri): EnvironmentPath;
    resolveEnvironment?(env: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
    onDidChangeActiveEnvironmentPath?: Event<unknown>;
}

interface PythonApi {
    environments?: EnvironmentsApi;
    /** Older releases of the extension named it `environment`. */
    environment?: EnvironmentsApi;
}

async function environmentsApi(): Promise<EnvironmentsApi | undefined> {
    const extension = extensions.getExtension<PythonApi>(PYTHON_EXTENSION_ID);
    if (extension === undefined) {
        return undefined;
    }
    try {
        const api = extension.isActive ? extension.exports : await extension.activate();
        return api?.environments ?? api?.environment;
    } catch (error) {
        traceWarn(`The Python extension could not be activated: ${String(error)}`);
        return undefined;
    }
}

/**
 * Returns the Python extension's active interpreter for a resource.
 *
 * @param resource The workspace folder the server works on.
 * @returns The interpreter's path, or undefined when the extension is absent or has none.
 */
export async function getActiveInterpreter(resource?: Uri): Promise<string | undefined> {
    const api = await environmentsApi();
    if (api === undefined) {
        return undefined;
    }
    try {
        const envPath = api.getActiveEnvironmentPath(resource);
        if (api.resolveEnvironment !== undefined) {
            const resolved = await api.resolveEnvironment(envPath);
            if (resolved?.executable.uri !== undefined) {
                return resolved.executable.uri.fsPath;
            }
        }
        return envPath?.path ? interpreterInEnvironment(envPath.path) : undefined;
    } catch (error) {
        traceWarn(`The Python extension did not report an interpreter: ${String(error)}`);
        return undefined;
    }
}

/**
 * Calls `listener` when the user selects another interpreter in the Python extension.
 *
 * @returns A disposable, or undefined when the extension is absent.
 */
export async function onInterpreterChanged(listener: () => void): Promise<Disposable | undefined> {
    const api = await environmentsApi();
    return api?.onDidChangeActiveEnvironmentPath?.(() => listener());
}
