/** Identifiers shared by the extension's modules. */

/** Settings namespace, output channel name and language client id. */
export const SERVER_ID = 'docgen';
export const SERVER_NAME = 'docgen';

/** Python module that runs the language server (`python -m lsp`). */
export const SERVER_MODULE = 'lsp';

/** Commands the server implements (workspace/executeCommand). */
export const ServerCommands = {
    stats: 'docgen.stats',
    indexWorkspace: 'docgen.indexWorkspace',
    generateDocstring: 'docgen.generateDocstring',
    documentFile: 'docgen.documentFile',
} as const;

/**
 * Commands this extension contributes. They have their own ids because the language
 * client registers the server's command ids itself (for code actions); registering the
 * same id twice would fail.
 */
export const ClientCommands = {
    generateDocstring: 'docgen.client.generateDocstring',
    documentFile: 'docgen.client.documentFile',
    indexWorkspace: 'docgen.client.indexWorkspace',
    restartServer: 'docgen.client.restartServer',
    showStats: 'docgen.client.showStats',
    showLog: 'docgen.client.showLog',
} as const;

/** Delay between a settings change and the server restart it causes. */
export const SETTINGS_RESTART_DELAY_MS = 1000;

/** How long the `import lsp, assistant` check may take before it counts as failed. */
export const IMPORT_CHECK_TIMEOUT_MS = 30000;
