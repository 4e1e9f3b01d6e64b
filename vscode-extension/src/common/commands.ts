/**
 * The extension's commands. Each one checks what it needs (a Python editor, a folder, a
 * running server), sends one workspace/executeCommand and shows the outcome.
 */
import * as fs from 'fs';
import { commands, Disposable, ProgressLocation, TextEditor, window, workspace } from 'vscode';
import { ResponseError } from 'vscode-languageclient/node';
import { ClientCommands, ServerCommands } from './constants';
import { editOutcome, formatStats, resultMessage } from './format';
import { getOutputChannel, traceError } from './logging';
import { DocgenServer, ServerUnavailableError } from './server';

function showFailure(action: string, error: unknown): void {
    if (error instanceof ServerUnavailableError) {
        void window.showErrorMessage(`docgen: ${error.message}`, 'Restart').then((choice) => {
            if (choice === 'Restart') {
                void commands.executeCommand(ClientCommands.restartServer);
            }
        });
        return;
    }
    const detail = error instanceof ResponseError || error instanceof Error ? error.message : String(error);
    traceError(`${action} failed`, detail);
    void window.showErrorMessage(`docgen: ${action} failed: ${detail}`);
}

function reportOutcome(result: unknown, announceSuccess: boolean): void {
    const outcome = editOutcome(result);
    if (outcome.kind === 'failed') {
        void window.showWarningMessage(`docgen: ${outcome.message}`);
    } else if (outcome.kind === 'nothing' || announceSuccess) {
        void window.showInformationMessage(`docgen: ${outcome.message}`);
    }
}

/** The active editor when it shows a Python file; otherwise tells the user why not. */
function pythonEditor(): TextEditor | undefined {
    const editor = window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== 'python') {
        void window.showInformationMessage('docgen: open a Python file first.');
        return undefined;
    }
    const doc = editor.document;
    if (doc.uri.scheme === 'file') {
        try {
            fs.accessSync(doc.uri.fsPath, fs.constants.W_OK);
        } catch {
            void window.showWarningMessage(
                `docgen: ${workspace.asRelativePath(doc.uri)} is read-only, so no docstring can be written into it.`,
            );
            return undefined;
        }
    }
    return editor;
}

/** The language client once the server has settled; throws when it is not running. */
async function runningClient(server: DocgenServer) {
    const client = await server.whenSettled();
    if (client === undefined) {
        throw new ServerUnavailableError();
    }
    return client;
}

async function generateDocstring(server: DocgenServer): Promise<void> {
    const editor = pythonEditor();
    if (editor === undefined) {
        return;
    }
    try {
        const client = await runningClient(server);
        const uri = client.code2ProtocolConverter.asUri(editor.document.uri);
        const position = client.code2ProtocolConverter.asPosition(editor.selection.active);
        const result = await window.withProgress(
            { location: ProgressLocation.Window, title: 'docgen: drafting a docstring' },
            () => server.executeCommand(ServerCommands.generateDocstring, [uri, position]),
        );
        // A success needs no message: the docstring appears in the editor.
        reportOutcome(result, false);
    } catch (error) {
        showFailure('Generate docstring', error);
    }
}

async function documentFile(server: DocgenServer): Promise<void> {
    const editor = pythonEditor();
    if (editor === undefined) {
        return;
    }
    try {
        const client = await runningClient(server);
        const uri = client.code2ProtocolConverter.asUri(editor.document.uri);
        const name = workspace.asRelativePath(editor.document.uri);
        const result = await window.withProgress(
            { location: ProgressLocation.Notification, title: `docgen: documenting ${name}` },
            () => server.executeCommand(ServerCommands.documentFile, [uri]),
        );
        reportOutcome(result, true);
    } catch (error) {
        showFailure('Document this file', error);
    }
}

async function indexWorkspace(server: DocgenServer): Promise<void> {
    if ((workspace.workspaceFolders ?? []).length === 0) {
        void window.showInformationMessage('docgen: open a folder to index it.');
        return;
    }
    try {
        // The server reports its own work-done progress ("docgen: indexing").
        const result = await server.executeCommand(ServerCommands.indexWorkspace, []);
        const summary = resultMessage(result);
        if (summary === undefined) {
            void window.showInformationMessage('docgen: the workspace is indexed.');
        } else if (/^indexing failed/i.test(summary)) {
            void window.showWarningMessage(`docgen: ${summary}`);
        } else {
            void window.showInformationMessage(`docgen: indexed ${summary}`);
        }
    } catch (error) {
        showFailure('Index workspace', error);
    }
}

async function showStats(server: DocgenServer): Promise<void> {
    try {
        const result = await server.executeCommand(ServerCommands.stats, []);
        const channel = getOutputChannel();
        channel.info(`Latency statistics:\n${formatStats(result)}`);
        channel.show(true);
    } catch (error) {
        showFailure('Show latency stats', error);
    }
}

/**
 * Registers every command the extension contributes.
 *
 * @param server The server manager the commands talk to.
 * @returns The registrations, for the extension context to dispose.
 */
export function registerCommands(server: DocgenServer): Disposable[] {
    return [
        commands.registerCommand(ClientCommands.generateDocstring, () => generateDocstring(server)),
        commands.registerCommand(ClientCommands.documentFile, () => documentFile(server)),
        commands.registerCommand(ClientCommands.indexWorkspace, () => indexWorkspace(server)),
        commands.registerCommand(ClientCommands.restartServer, () => server.restart('user')),
        commands.registerCommand(ClientCommands.showStats, () => showStats(server)),
        commands.registerCommand(ClientCommands.showLog, () => getOutputChannel().show()),
    ];
}
