/**
 * Module customization hooks for `graft run` (registered with `module.register`; they run on Node's loader
 * thread, so this file imports nothing of graft's library):
 *
 * - `.ts` / `.mts` files are transpiled to ES modules with inline source maps (see transpile.ts);
 * - a relative `./x.js` import that does not exist resolves to `./x.ts` (or `.mjs` to `.mts`), as `tsc`
 *   resolves it, so scripts can import their own TypeScript modules the way the package's sources do;
 * - the bare specifier `graft` resolves to this very package, wherever the script lives, so a script outside
 *   the package (no node_modules of its own) and a script inside it (examples/) get the same library.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';
import { transpile } from './transpile.js';

/** dist/index.js of the package this loader belongs to (this file is dist/cli/loader.js). */
const GRAFT_ENTRY = new URL('../index.js', import.meta.url).href;

const JS_TO_TS: Record<string, string> = { '.js': '.ts', '.mjs': '.mts' };

function isPathLike(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/');
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (specifier === 'graft') return { url: GRAFT_ENTRY, format: 'module', shortCircuit: true };
  const parent = context.parentURL;
  if (parent?.startsWith('file:') && isPathLike(specifier)) {
    const url = new URL(specifier, parent);
    const ext = /\.m?js$/.exec(url.pathname)?.[0];
    if (ext !== undefined && !existsSync(url)) {
      const ts = new URL(url);
      ts.pathname = url.pathname.slice(0, -ext.length) + JS_TO_TS[ext];
      if (existsSync(ts)) return { url: ts.href, shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (url.startsWith('file:')) {
    const path = fileURLToPath(url);
    if (/\.m?ts$/.test(path) && !/\.d\.m?ts$/.test(path)) {
      return { format: 'module', source: transpile(readFileSync(path, 'utf8'), path), shortCircuit: true };
    }
  }
  return nextLoad(url, context);
};
