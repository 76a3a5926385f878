/**
 * Long fuzz runs, one target per process: `node scripts/fuzz.js` starts this file through graft's TypeScript
 * loader (`graft run`) and watches it.
 *
 *   run.ts <target> <seconds> <seed> <findings folder> <heartbeat file>   fuzz; a failure is printed (and a
 *                                                                          file target's bytes saved)
 *   run.ts <target> replay <seed> <n>                                      print input number n of that seed
 *
 * Before each input the number of inputs started goes to the heartbeat file (one small write); when the child
 * hangs, the watchdog kills it and asks for that input with `replay` (fast-check regenerates it from the seed).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuzz, report, saveFinding, type FuzzTarget } from './harness.js';
import { API_TARGETS } from './targets/api.js';
import { FILE_TARGETS } from './targets/files.js';

const [name, seconds, seed, findings, heartbeat] = process.argv.slice(2);
const targets = new Map<string, FuzzTarget<never>>([...FILE_TARGETS, ...API_TARGETS].map((t) => [t.name, t as FuzzTarget<never>]));
const target = targets.get(name ?? '');
if (!target) {
  console.error(`unknown target ${JSON.stringify(name)}; targets: ${[...targets.keys()].join(', ')}`);
  process.exit(2);
}

if (seconds === 'replay') {
  // Input number n (counting from 1) of the run with this seed: the same arbitrary, the same random stream.
  const n = Number(findings);
  const [input] = fc.sample(target.arbitrary(), { seed: Number(seed), numRuns: n }).slice(-1);
  console.log(target.describe(input as never));
  process.exit(0);
}

const fd = heartbeat ? openSync(heartbeat, 'w') : null;
const counter = Buffer.alloc(16, 0x20);
let started = 0;
const beat = (): void => {
  if (fd === null) return;
  counter.write(String(++started).padEnd(16), 0);
  writeSync(fd, counter, 0, 16, 0);
};

const r = fuzz(target, { seconds: Number(seconds), seed: Number(seed), onInput: beat });
if (fd !== null) closeSync(fd);
console.log(report(r));
if (r.failure?.bytes && findings) {
  mkdirSync(findings, { recursive: true });
  const file = join(findings, `${r.target}-seed${r.seed}.bin`);
  saveFinding(r, file);
  console.log(`saved the input to ${file}`);
}
console.log(JSON.stringify({ target: r.target, seed: r.seed, runs: r.runs, failed: r.failure !== null }));
process.exit(r.failure ? 1 : 0);
