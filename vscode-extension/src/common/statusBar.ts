/** Renders the StatusModel into a status bar item; clicking it shows the server log. */
import { Disposable, StatusBarAlignment, StatusBarItem, ThemeColor, window } from 'vscode';
import { ClientCommands } from './constants';
import { ProgressValue, ServerState, StatusModel } from './status';

export class DocgenStatusBar implements Disposable {
    private readonly item: StatusBarItem;
    private readonly model = new StatusModel();

    constructor() {
        this.item = window.createStatusBarItem('docgen.status', StatusBarAlignment.Left, 10);
        this.item.name = 'docgen';
        this.item.command = ClientCommands.showLog;
        this.render();
        this.item.show();
    }

    setState(state: ServerState): void {
        this.model.setState(state);
        this.render();
    }

    onProgress(token: string | number, value: ProgressValue): void {
        this.model.onProgress(token, value);
        this.render();
    }

    private render(): void {
        const view = this.model.view();
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.backgroundColor = view.alarm ? new ThemeColor('statusBarItem.errorBackground') : undefined;
    }

    dispose(): void {
        this.item.dispose();
    }
}
