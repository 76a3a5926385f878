/** Running the `graft` command as a user does: `node bin/graft.js ...args` in a directory of scripts. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/graft.js', import.meta.url));

export interface GraftRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node bin/graft.js ...args` in `cwd` (asynchronously, so tests run side by side). */
export function runGraft(cwd: string, args: readonly string[], opts: { timeout?: number; env?: Record<string, string> } = {}): Promise<GraftRun> {
  return runNode([BIN, ...args], { cwd, timeout: opts.timeout, env: { ...process.env, ...opts.env } });
}

/** Run `node ...args` with exactly the environment `env` (asynchronously). */
export function runNode(args: readonly string[], opts: { cwd?: string; timeout?: number; env: NodeJS.ProcessEnv }): Promise<GraftRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: opts.cwd, timeout: opts.timeout ?? 60_000, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
