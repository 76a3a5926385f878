/**
 * Long fuzz runs, one target per process: `node scripts/fuzz.js` starts this file through graft's TypeScript
 * loader (`graft run`) and watches it. Arguments: <target> <seconds> <seed> <findings folder> <heartbeat file>.
 * Before each input the input's text goes to the heartbeat file, so the watchdog can report the input of a hang;
 * a failure is printed as JSON on the last line of stdout (and a file target's bytes saved in the folder).
 */
import { closeSync, mkdirSync, openSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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

const fd = heartbeat ? openSync(heartbeat, 'w') : null;
const beat = (text: () => string): void => {
  if (fd === null) return;
  const b = Buffer.from(text());
  ftruncateSync(fd, 0);
  writeSync(fd, b, 0, b.length, 0);
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
