#!/usr/bin/env node
/**
 * Long fuzz runs with a watchdog (CI runs the same targets for a few seconds each: test/fuzz/*.test.ts).
 *
 *   node scripts/fuzz.js [target ...] [--seconds N] [--seed S] [--hang-seconds H] [--out DIR]
 *
 * Targets: safetensors, npy, idx, idx.gz (file loaders under byte mutation), api-tensor, api-library (public
 * API argument fuzzing), sweep (every public callable with canonical bad arguments, deterministic). Default:
 * all of them, 60 s each, a random seed (printed). Each target runs in its own process (test/fuzz/run.ts through
 * graft's TypeScript loader) with a 64 MiB buffer limit (GRAFT_MAX_BUFFER_BYTES). The child writes each input to
 * a heartbeat file before running it; when the file goes unchanged for --hang-seconds the child is killed and
 * its last input reported as a hang. Failing inputs of file targets are saved in --out (default fuzz-findings/):
 * copy them to test/fuzz/regressions/<target>/ to make them regression tests.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALL = ['safetensors', 'npy', 'idx', 'idx.gz', 'api-tensor', 'api-library', 'sweep'];

function parseArgs(argv) {
  const opts = { targets: [], seconds: 60, seed: Math.floor(Math.random() * 2 ** 31), hang: 30, out: join(ROOT, 'fuzz-findings') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seconds') opts.seconds = Number(value());
    else if (a === '--seed') opts.seed = Number(value());
    else if (a === '--hang-seconds') opts.hang = Number(value());
    else if (a === '--out') opts.out = value();
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else if (ALL.includes(a)) opts.targets.push(a);
    else throw new Error(`unknown argument ${a}; targets: ${ALL.join(', ')}`);
  }
  if (!(opts.seconds > 0) || !Number.isInteger(opts.seed) || !(opts.hang > 0)) throw new Error('--seconds and --hang-seconds must be positive, --seed an integer');
  if (opts.targets.length === 0) opts.targets = ALL;
  return opts;
}

/** Run one target in a child process; resolves to 'ok', 'failed' or 'hang'. */
function runTarget(target, opts) {
  mkdirSync(opts.out, { recursive: true });
  const heartbeat = join(opts.out, `.${target}.current`);
  writeFileSync(heartbeat, '');
  const script = target === 'sweep' ? ['test/fuzz/sweep.ts'] : ['test/fuzz/run.ts', target, String(opts.seconds), String(opts.seed), opts.out, heartbeat];
  const env = { ...process.env, GRAFT_MAX_BUFFER_BYTES: process.env.GRAFT_MAX_BUFFER_BYTES ?? String(64 << 20) };
  const child = spawn(process.execPath, ['--expose-gc', join(ROOT, 'bin', 'graft.js'), 'run', ...script], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => {
    let hung = false;
    const deadline = Date.now() + (opts.seconds * 6 + 120) * 1000;
    const timer = setInterval(() => {
      const idle = (Date.now() - statSync(heartbeat).mtimeMs) / 1000;
      if ((target !== 'sweep' && idle > opts.hang) || Date.now() > deadline) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 1000);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (hung) {
        const input = existsSync(heartbeat) ? readFileSync(heartbeat, 'utf8') : '';
        const file = join(opts.out, `${target}-hang-seed${opts.seed}.txt`);
        writeFileSync(file, input);
        console.log(`${target}: HANG (no progress for ${opts.hang} s, or over the time limit); the input it was running:\n${input}\n(saved to ${file})`);
        resolve('hang');
      } else resolve(code === 0 ? 'ok' : 'failed');
    });
  });
}

const opts = parseArgs(process.argv.slice(2));
console.log(`fuzzing ${opts.targets.join(', ')} for ${opts.seconds} s each, seed ${opts.seed}`);
const results = [];
for (const t of opts.targets) results.push([t, await runTarget(t, opts)]);
console.log(results.map(([t, r]) => `${t}: ${r}`).join('\n'));
process.exit(results.every(([, r]) => r === 'ok') ? 0 : 1);
