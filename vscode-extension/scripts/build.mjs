// Bundles the extension and vscode-languageclient into dist/extension.js (vscode is external).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';

await esbuild.build({
    entryPoints: ['src/extension.ts'],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    outfile: 'dist/extension.js',
    external: ['vscode'],
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
});
console.log('built dist/extension.js');
