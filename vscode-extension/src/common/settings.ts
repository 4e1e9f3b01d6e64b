/**
 * The `docgen.*` settings and their one-to-one mapping onto the server's options.
 *
 * Pure logic: nothing here imports `vscode`, so the unit tests run under plain node.
 * The caller passes a getter (usually `workspace.getConfiguration('docgen').get`).
 */
import * as os from 'os';
import * as path from 'path';

export const STYLES = ['auto', 'google', 'numpy', 'sphinx', 'pep257'] as const;
export const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;
export const ENGINE_BACKENDS = ['auto', 'onnx-int8', 'onnx-fp32', 'openvino-int8', 'openvino-fp32', 'openvino-bf16'] as const;

export type Style = (typeof STYLES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type EngineBackend = (typeof ENGINE_BACKENDS)[number];

/** Options sent to the server in `initializationOptions` and `workspace/didChangeConfiguration`. */
export interface ServerOptions {
    model: string | null;
    style: Style;
    diagnosticSeverity: Severity;
    staleSeverity: Severity;
    minConfidence: number;
    includePrivate: boolean;
    cachePath: string | null;
    threads: number | null;
    indexOnStartup: boolean;
    corpus: boolean;
    accurateModel: string | null;
    hoverBudgetMs: number;
    generateBudgetMs: number;
    degradation: boolean;
    encoderCacheMb: number;
    warmUp: boolean;
    engineBackend: EngineBackend;
}

export const DEFAULT_OPTIONS: Readonly<ServerOptions> = Object.freeze({
    model: null,
    style: 'auto',
    diagnosticSeverity: 'information',
    staleSeverity: 'warning',
    minConfidence: 0.0,
    includePrivate: false,
    cachePath: null,
    threads: null,
    indexOnStartup: true,
    corpus: true,
    accurateModel: null,
    hoverBudgetMs: 250,
    generateBudgetMs: 2000,
    degradation: true,
    encoderCacheMb: 64,
    warmUp: true,
    engineBackend: 'auto',
});

/** Every server option name; each is also the setting `docgen.<name>`. */
export const OPTION_NAMES = Object.keys(DEFAULT_OPTIONS) as (keyof ServerOptions)[];

/** Settings that change how the server is launched but are not server options. */
export const LAUNCH_SETTING_NAMES = ['interpreter'] as const;

/** Values used to expand `${workspaceFolder}`, `${userHome}` and `~` in path settings. */
export interface PathContext {
    workspaceFolder?: string;
    home?: string;
}

export interface SettingsResult {
    options: ServerOptions;
    /** One message per invalid setting; the default was used instead. */
    problems: string[];
}

type Getter = (name: string) => unknown;

/**
 * Expands `${workspaceFolder}`, `${userHome}` and a leading `~` in a path setting.
 *
 * @param value The raw setting value.
 * @param ctx Workspace folder and home directory to substitute.
 * @returns The expanded string (unchanged when nothing matches).
 */
export function expandPath(value: string, ctx: PathContext): string {
    const home = ctx.home ?? os.homedir();
    let out = value.replace(/\$\{userHome\}/g, home);
    if (ctx.workspaceFolder !== undefined) {
        out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
    }
    if (out === '~' || out.startsWith('~/')) {
        out = path.join(home, out.slice(1));
    }
    return out;
}

function isExplicitRelative(value: string): boolean {
    return value === '.' || value === '..' || value.startsWith('./') || value.startsWith('../');
}

function optionalString(value: unknown): string | null | undefined {
    if (value === null || value === undefined) {
        return null;
    }
    if (typeof value !== 'string') {
        return undefined;
    }
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
}

function readEnum<T extends string>(
    name: string,
    value: unknown,
    allowed: readonly T[],
    fallback: T,
    problems: string[],
): T {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
        return value as T;
    }
    problems.push(`docgen.${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}; using "${fallback}".`);
    return fallback;
}

function readBoolean(name: string, value: unknown, fallback: boolean, problems: string[]): boolean {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === 'boolean') {
        return value;
    }
    problems.push(`docgen.${name}: ${JSON.stringify(value)} is not true or false; using ${fallback}.`);
    return fallback;
}

function readConfidence(value: unknown, problems: string[]): number {
    const fallback = DEFAULT_OPTIONS.minConfidence;
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1) {
        return value;
    }
    problems.push(`docgen.minConfidence: ${JSON.stringify(value)} is not a number from 0 to 1; using ${fallback}.`);
    return fallback;
}

function readNumber(name: string, value: unknown, fallback: number, zeroAllowed: boolean, problems: string[]): number {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === 'number' && Number.isFinite(value) && (value > 0 || (zeroAllowed && value === 0))) {
        return value;
    }
    const what = zeroAllowed ? 'a number of 0 or more' : 'a number above 0';
    problems.push(`docgen.${name}: ${JSON.stringify(value)} is not ${what}; using ${fallback}.`);
    return fallback;
}

function readThreads(value: unknown, problems: string[]): number | null {
    if (value === undefined || value === null || value === 0) {
        return null;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
        return value;
    }
    problems.push(`docgen.threads: ${JSON.stringify(value)} is not a positive whole number; using the default (automatic).`);
    return null;
}

function readModel(
    value: unknown,
    ctx: PathContext,
    problems: string[],
    name = 'model',
    fallback = 'using the shipped model',
): string | null {
    const text = optionalString(value);
    if (text === undefined) {
        problems.push(`docgen.${name}: ${JSON.stringify(value)} is not a string; ${fallback}.`);
        return null;
    }
    if (text === null) {
        return null;
    }
    // A model is a folder or a hub id such as "Salesforce/codet5-base-multi-sum", so only
    // variables, "~" and explicit "./" paths are resolved against the workspace.
    const expanded = expandPath(text, ctx);
    if (isExplicitRelative(expanded) && ctx.workspaceFolder !== undefined) {
        return path.resolve(ctx.workspaceFolder, expanded);
    }
    return expanded;
}

function readCachePath(value: unknown, ctx: PathContext, problems: string[]): string | null {
    const text = optionalString(value);
    if (text === undefined) {
        problems.push(`docgen.cachePath: ${JSON.stringify(value)} is not a string; using the default cache folder.`);
        return null;
    }
    if (text === null) {
        return null;
    }
    const expanded = expandPath(text, ctx);
    if (!path.isAbsolute(expanded) && ctx.workspaceFolder !== undefined) {
        return path.resolve(ctx.workspaceFolder, expanded);
    }
    return expanded;
}

/**
 * Reads every `docgen.<name>` setting and maps it onto the server option of the same name.
 *
 * Invalid values never reach the server: each is replaced by its default and reported.
 *
 * @param get Returns the raw value of a setting by its name inside `docgen`.
 * @param ctx Used to expand and resolve path settings.
 * @returns The server options and the problems found.
 */
export function readServerOptions(get: Getter, ctx: PathContext = {}): SettingsResult {
    const problems: string[] = [];
    const d = DEFAULT_OPTIONS;
    const options: ServerOptions = {
        model: readModel(get('model'), ctx, problems),
        style: readEnum('style', get('style'), STYLES, d.style, problems),
        diagnosticSeverity: readEnum('diagnosticSeverity', get('diagnosticSeverity'), SEVERITIES, d.diagnosticSeverity, problems),
        staleSeverity: readEnum('staleSeverity', get('staleSeverity'), SEVERITIES, d.staleSeverity, problems),
        minConfidence: readConfidence(get('minConfidence'), problems),
        includePrivate: readBoolean('includePrivate', get('includePrivate'), d.includePrivate, problems),
        cachePath: readCachePath(get('cachePath'), ctx, problems),
        threads: readThreads(get('threads'), problems),
        indexOnStartup: readBoolean('indexOnStartup', get('indexOnStartup'), d.indexOnStartup, problems),
        corpus: readBoolean('corpus', get('corpus'), d.corpus, problems),
        accurateModel: readModel(get('accurateModel'), ctx, problems, 'accurateModel', 'using the drafting model'),
        hoverBudgetMs: readNumber('hoverBudgetMs', get('hoverBudgetMs'), d.hoverBudgetMs, false, problems),
        generateBudgetMs: readNumber('generateBudgetMs', get('generateBudgetMs'), d.generateBudgetMs, false, problems),
        degradation: readBoolean('degradation', get('degradation'), d.degradation, problems),
        encoderCacheMb: readNumber('encoderCacheMb', get('encoderCacheMb'), d.encoderCacheMb, true, problems),
        warmUp: readBoolean('warmUp', get('warmUp'), d.warmUp, problems),
        engineBackend: readEnum('engineBackend', get('engineBackend'), ENGINE_BACKENDS, d.engineBackend, problems),
    };
    return { options, problems };
}

/**
 * Tells whether a configuration change concerns the server.
 *
 * @param affects `ConfigurationChangeEvent.affectsConfiguration`, or any predicate over section names.
 * @returns True when a server option or a launch setting changed.
 */
export function affectsServer(affects: (section: string) => boolean): boolean {
    return [...OPTION_NAMES, ...LAUNCH_SETTING_NAMES].some((name) => affects(`docgen.${name}`));
}
