/**
 * `graft run script.ts [args...]`: run a TypeScript script in this process, as `node script.ts args...` would
 * if Node ran TypeScript: `process.argv` is `[node, /abs/script.ts, ...args]`, stack traces point at `.ts`
 * lines, `import * as torch from 'graft'` gets this package, and the exit code is the script's (an uncaught
 * error exits with 1, as in Node).
 */
import { existsSync, statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, type Command } from './command.js';

let registered = false;

/** Install the TypeScript loader hooks (once per process). */
export function registerTypeScriptLoader(): void {
  if (registered) return;
  if (typeof nodeModule.register !== 'function') {
    throw new UsageError(`graft run needs Node.js 20.6 or newer (module.register); this is Node.js ${process.version}`);
  }
  nodeModule.register(new URL('./loader.js', import.meta.url));
  process.setSourceMapsEnabled(true);
  registered = true;
}

export async function runScript(args: readonly string[]): Promise<void> {
  const [script, ...rest] = args;
  if (script === undefined) throw new UsageError(`graft run: missing script\n\n${runCommand.usage}`);
  const path = resolvePath(script);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`graft run: cannot find script '${script}'`);
  registerTypeScriptLoader();
  process.argv = [process.argv[0]!, path, ...rest];
  await import(pathToFileURL(path).href);
}

export const runCommand: Command = {
  name: 'run',
  args: '<script.ts> [args...]',
  summary: 'run a TypeScript script (transpiled on the fly, source-mapped stack traces)',
  usage: [
    'Usage: graft run <script.ts> [args...]',
    '',
    'Runs a TypeScript (or JavaScript) ES module with Node.js. `.ts` files are transpiled with the TypeScript',
    "compiler (no type checking), `./x.js` imports find `./x.ts`, and `import * as torch from 'graft'` gets",
    'this package. The script sees process.argv as `node script.ts args...` would give it.',
  ].join('\n'),
  async run(args) {
    await runScript(args);
  },
};
