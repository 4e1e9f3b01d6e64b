/**
 * Launches the docgen language server (`<python> -m lsp` over stdio) and keeps it alive:
 * checks the interpreter first, restarts after settings changes (debounced) and after
 * crashes (limited, with backoff), and says so once when it gives up.
 */
import { commands, Disposable, ExtensionContext, window, workspace } from 'vscode';
import {
    CloseAction,
    ErrorAction,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions as LaunchOptions,
} from 'vscode-languageclient/node';
import { IMPORT_CHECK_TIMEOUT_MS, SERVER_ID, SERVER_MODULE, SERVER_NAME, SETTINGS_RESTART_DELAY_MS } from './constants';
import { checkDocgenImport, importFailureMessage, Interpreter, resolveInterpreter, safePythonEnv } from './interpreter';
import { getOutputChannel, traceError, traceInfo, traceWarn } from './logging';
import { getActiveInterpreter } from './pythonExtension';
import { CrashLimiter, Debouncer } from './restartPolicy';
import { PathContext, readServerOptions, ServerOptions } from './settings';
import { DocgenStatusBar } from './statusBar';
import { ProgressValue } from './status';

type RestartReason = 'user' | 'settings' | 'interpreter';

/** Owns the LanguageClient for the first workspace folder (or no folder). */
export class DocgenServer implements Disposable {
    private client: LanguageClient | undefined;
    private generation = 0;
    private crashHandled = new Set<number>();
    private failureNotified = false;
    private crashTimer: ReturnType<typeof setTimeout> | undefined;
    private queue: Promise<void> = Promise.resolve();
    private readonly limiter = new CrashLimiter();
    private readonly settingsDebounce = new Debouncer(SETTINGS_RESTART_DELAY_MS);

    constructor(
        private readonly context: ExtensionContext,
        private readonly status: DocgenStatusBar,
    ) {}

    /** The running client, or undefined while the server is down or starting. */
    get runningClient(): LanguageClient | undefined {
        return this.client?.isRunning() ? this.client : undefined;
    }

    /** Waits for pending start/stop work, then reports the running client. */
    async whenSettled(): Promise<LanguageClient | undefined> {
        await this.queue;
        return this.runningClient;
    }

    /** Starts the server (serialised with every other start/stop). */
    start(): Promise<void> {
        return this.enqueue(() => this.doStart());
    }

    /** Stops the server and any pending automatic restart. */
    stop(): Promise<void> {
        return this.enqueue(() => this.doStop());
    }

    /**
     * Restarts the server now. A restart asked for by the user or a settings change forgets
     * earlier crashes and may notify again.
     */
    restart(reason: RestartReason): Promise<void> {
        traceInfo(`Restarting the server (${reason}).`);
        this.limiter.reset();
        this.failureNotified = false;
        return this.enqueue(async () => {
            await this.doStop();
            await this.doStart();
        });
    }

    /** Restarts after a quiet period, so a burst of settings edits causes one restart. */
    scheduleRestart(reason: RestartReason): void {
        this.settingsDebounce.trigger(() => void this.restart(reason));
    }

    /**
     * Sends workspace/executeCommand to the server.
     *
     * @param command One of the server's command ids.
     * @param args The command's arguments.
     * @returns The server's result.
     */
    async executeCommand(command: string, args: unknown[]): Promise<unknown> {
        const client = await this.whenSettled();
        if (client === undefined) {
            throw new ServerUnavailableError();
        }
        return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    }

    private enqueue(work: () => Promise<void>): Promise<void> {
        this.queue = this.queue.then(work).catch((error) => traceError('Server start/stop failed', error));
        return this.queue;
    }

    private pathContext(): PathContext {
        return { workspaceFolder: workspace.workspaceFolders?.[0]?.uri.fsPath };
    }

    private readOptions(): ServerOptions {
        const folder = workspace.workspaceFolders?.[0];
        const config = workspace.getConfiguration(SERVER_ID, folder?.uri);
        const { options, problems } = readServerOptions((name) => config.get(name), this.pathContext());
        if (problems.length > 0) {
            problems.forEach((p) => traceWarn(p));
            void window.showWarningMessage(`docgen: ${problems.join(' ')}`);
        }
        return options;
    }

    private async findInterpreter(): Promise<Interpreter> {
        const folder = workspace.workspaceFolders?.[0];
        const config = workspace.getConfiguration(SERVER_ID, folder?.uri);
        const fromPythonExtension = await getActiveInterpreter(folder?.uri);
        return resolveInterpreter(config.get('interpreter'), fromPythonExtension, this.pathContext());
    }

    private async doStart(): Promise<void> {
        this.status.setState({ kind: 'starting' });
        const options = this.readOptions();
        const interp = await this.findInterpreter();
        traceInfo(`Python interpreter: ${interp.command} (${interp.source})`);
        // The extension's own folder holds no Python code, so nothing of the user's repository
        // can be imported in place of docgen.
        const cwd = this.context.extensionUri.fsPath;
        const check = await checkDocgenImport(interp.command, cwd, IMPORT_CHECK_TIMEOUT_MS);
        if (!check.ok) {
            const message = importFailureMessage(interp, check);
            traceError(message);
            this.status.setState({ kind: 'error', message });
            this.notifyFailureOnce(message, ['Open Settings']);
            return;
        }
        const generation = ++this.generation;
        const client = this.createClient(interp, options, cwd, generation);
        this.client = client;
        traceInfo(`Starting: ${interp.command} -m ${SERVER_MODULE}`);
        try {
            await client.start();
            // start() can resolve although the process already died; trust only a live client.
            if (generation === this.generation && client.isRunning() && !this.crashHandled.has(generation)) {
                this.status.setState({ kind: 'ready' });
                traceInfo('The server is running.');
            } else {
                this.onServerDown(generation);
            }
        } catch (error) {
            traceError('The server did not start', error);
            this.onServerDown(generation);
        }
    }

    private createClient(interp: Interpreter, options: ServerOptions, cwd: string, generation: number): LanguageClient {
        const launch: LaunchOptions = {
            command: interp.command,
            // No `transport`: plain stdio. TransportKind.stdio would append `--stdio`.
            args: ['-m', SERVER_MODULE],
            options: { cwd, env: safePythonEnv(process.env) },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: [
                { scheme: 'file', language: 'python' },
                { scheme: 'untitled', language: 'python' },
            ],
            outputChannel: getOutputChannel(),
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: options,
            initializationFailedHandler: (error) => {
                traceError('The server failed to initialize', error);
                return false;
            },
            errorHandler: {
                error: (_error, _message, count) => ({
                    action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
                    handled: true,
                }),
                closed: () => {
                    this.onServerDown(generation);
                    return { action: CloseAction.DoNotRestart, handled: true };
                },
            },
            middleware: {
                handleWorkDoneProgress: (token, params, next) => {
                    this.status.onProgress(token, params as ProgressValue);
                    next(token, params);
                },
            },
        };
        return new QuietLanguageClient(SERVER_ID, SERVER_NAME, launch, clientOptions);
    }

    /** Called once per client generation when its process exits or never came up. */
    private onServerDown(generation: number): void {
        if (generation !== this.generation || this.crashHandled.has(generation)) {
            return;
        }
        this.crashHandled.add(generation);
        const decision = this.limiter.recordCrash();
        if (decision.restart) {
            traceWarn(`The server stopped unexpectedly; restarting in ${decision.delayMs} ms (crash ${decision.crashesInWindow}).`);
            this.status.setState({ kind: 'restarting', delayMs: decision.delayMs });
            this.crashTimer = setTimeout(() => {
                this.crashTimer = undefined;
                void this.enqueue(() => this.doStart());
            }, decision.delayMs);
            return;
        }
        const message =
            `the language server stopped ${decision.crashesInWindow} times in a row and will not be restarted ` +
            'automatically. The "docgen" output channel shows why.';
        traceError(message);
        this.status.setState({ kind: 'error', message });
        this.notifyFailureOnce(`docgen: ${message}`, []);
    }

    private notifyFailureOnce(message: string, extra: string[]): void {
        if (this.failureNotified) {
            return;
        }
        this.failureNotified = true;
        void window.showErrorMessage(message, ...extra, 'Show Log', 'Restart').then((choice) => {
            if (choice === 'Restart') {
                void this.restart('user');
            } else if (choice === 'Show Log') {
                getOutputChannel().show();
            } else if (choice === 'Open Settings') {
                void commands.executeCommand('workbench.action.openSettings', 'docgen.interpreter');
            }
        });
    }

    private async doStop(): Promise<void> {
        if (this.crashTimer !== undefined) {
            clearTimeout(this.crashTimer);
            this.crashTimer = undefined;
        }
        const client = this.client;
        this.client = undefined;
        this.generation++;
        if (client !== undefined) {
            try {
                if (client.needsStop()) {
                    await client.stop(3000);
                }
            } catch (error) {
                traceWarn(`Stopping the server: ${String(error)}`);
            }
            await client.dispose().catch(() => undefined);
        }
        this.status.setState({ kind: 'stopped' });
    }

    dispose(): void {
        this.settingsDebounce.dispose();
        void this.stop();
    }
}

/**
 * A LanguageClient that logs its errors without forcing a notification of its own:
 * DocgenServer tells the user once, with the fix, instead of one popup per failed start.
 */
class QuietLanguageClient extends LanguageClient {
    override error(message: string, data?: unknown, _showNotification?: boolean | 'force'): void {
        super.error(message, data, false);
    }
}

/** Raised when a command needs the server and it is not running. */
export class ServerUnavailableError extends Error {
    constructor() {
        super('the language server is not running. Run "docgen: Restart server", or see the "docgen" output for why.');
    }
}
