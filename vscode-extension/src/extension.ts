/** Entry point: activates and deactivates the extension, nothing else. */
import { ExtensionContext, workspace } from 'vscode';
import { registerCommands } from './common/commands';
import { disposeOutputChannel, getOutputChannel } from './common/logging';
import { onInterpreterChanged } from './common/pythonExtension';
import { DocgenServer } from './common/server';
import { affectsServer } from './common/settings';
import { DocgenStatusBar } from './common/statusBar';

let server: DocgenServer | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
    const status = new DocgenStatusBar();
    server = new DocgenServer(context, status);
    const current = server;
    context.subscriptions.push(
        getOutputChannel(),
        status,
        current,
        ...registerCommands(current),
        workspace.onDidChangeConfiguration((event) => {
            if (affectsServer((section) => event.affectsConfiguration(section))) {
                current.scheduleRestart('settings');
            }
        }),
    );
    const interpreterWatch = await onInterpreterChanged(() => current.scheduleRestart('interpreter'));
    if (interpreterWatch !== undefined) {
        context.subscriptions.push(interpreterWatch);
    }
    // Not awaited: activation finishes at once; the status bar shows the start.
    void current.start();
}

export async function deactivate(): Promise<void> {
    await server?.stop();
    server = undefined;
    disposeOutputChannel();
}
