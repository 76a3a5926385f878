/**
 * Running a script under inspection (`graft inspect`, `graft ir`): node sites are recorded, the cpu device's
 * programs observed, and when the process ends — the script done, `process.exit()`, or an uncaught error —
 * `finish` gets everything recorded, synchronously (it runs in the 'exit' event). An error the script throws
 * is printed as Node would print it, kept for the report with the script line it came from, and the exit
 * code is 1, as for `node script.ts`.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Inspector } from '../inspect/recorder.js';
import type { ScriptError } from '../inspect/report.js';
import { recordSites, sourceLines } from '../inspect/sites.js';
import type { GraphSite } from '../inspect/model.js';
import { UsageError } from './command.js';
import { registerTypeScriptLoader } from './run.js';

export interface Capture {
  readonly inspector: Inspector;
  /** The script's absolute path and its arguments. */
  readonly script: string;
  readonly args: readonly string[];
  readonly startedAt: Date;
  /** Milliseconds from the script's start to the end of the process. */
  wallMs: number;
  error: ScriptError | null;
}

/** This package's own sources and build: frames there are graft's, not the script's. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The first frame of a (source-mapped) stack that is in the user's code, with the lines around it. */
export function errorSite(stack: string): GraphSite | null {
  for (const line of stack.split('\n')) {
    const m = /^\s+at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    let file = m[2]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file.startsWith('node:') || !file.startsWith('/') || file.startsWith(PACKAGE_ROOT + 'dist/') || file.startsWith(PACKAGE_ROOT + 'src/')) continue;
    const lineNo = Number(m[3]);
    const from = Math.max(1, lineNo - 2);
    return { file, line: lineNo, column: Number(m[4]), fn: m[1] ?? '', kind: 'forward', code: sourceLines(file, from, lineNo + 2) ?? [], codeStart: from };
  }
  return null;
}

function describeError(e: unknown): ScriptError {
  if (e instanceof Error) {
    const stack = e.stack ?? `${e.name}: ${e.message}`;
    return { name: e.name, message: e.message, stack, site: errorSite(stack) };
  }
  return { name: 'thrown value', message: String(e), stack: String(e), site: null };
}

/**
 * Run `script` with `args` under inspection; `finish` runs once when the process ends. Returns when the
 * script's module has been evaluated (work it scheduled may still run: `finish` waits for the process end).
 */
export async function runCaptured(command: string, script: string, args: readonly string[], finish: (c: Capture) => void): Promise<void> {
  const path = resolvePath(script);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`graft ${command}: cannot find script '${script}'`);
  registerTypeScriptLoader();
  const inspector = new Inspector().install();
  recordSites(true);
  const t0 = performance.now();
  const capture: Capture = { inspector, script: path, args, startedAt: new Date(), wallMs: 0, error: null };
  let finished = false;
  const end = (): void => {
    if (finished) return;
    finished = true;
    capture.wallMs = performance.now() - t0;
    inspector.uninstall();
    recordSites(false);
    try {
      finish(capture);
    } catch (e) {
      process.stderr.write(`graft ${command}: could not write its output: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  };
  const fail = (e: unknown): void => {
    capture.error ??= describeError(e);
    process.stderr.write(`${e instanceof Error ? (e.stack ?? String(e)) : `Uncaught ${String(e)}`}\n`);
    process.exitCode = 1;
  };
  process.once('exit', end);
  process.on('uncaughtException', (e) => {
    fail(e);
    process.exit(1);
  });
  process.argv = [process.argv[0]!, path, ...args];
  try {
    await import(pathToFileURL(path).href);
  } catch (e) {
    fail(e);
  }
}

/**
 * Split a command line into graft's options and the script's: options may stand anywhere before `--`;
 * the first other argument is the script, the rest (and everything after `--`) its arguments.
 */
export function splitArgs(
  command: string,
  argv: readonly string[],
  withValue: readonly string[],
  flags: readonly string[],
): { options: Map<string, string>; script: string; args: string[] } {
  const options = new Map<string, string>();
  const rest: string[] = [];
  let script: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (withValue.includes(a)) {
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`graft ${command}: ${a} needs a value`);
      options.set(a, v);
      i++;
    } else if (flags.includes(a)) options.set(a, '');
    else if (script === undefined) script = a;
    else rest.push(a);
  }
  if (script === undefined) {
    script = rest.shift();
    if (script === undefined) throw new UsageError(`graft ${command}: missing script`);
  }
  return { options, script, args: rest };
}
