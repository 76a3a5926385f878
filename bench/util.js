// What every bench script shares: medians, timing after warm-up, Python baselines and printed tables.
import { execFileSync } from 'node:child_process';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median milliseconds of fn() over `reps` runs after `warm` runs. */
export function time(fn, reps = 10, warm = 2) {
  for (let i = 0; i < warm; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/**
 * The JSON a Python snippet prints, from the first interpreter that runs it (null when none does).
 * PyTorch is Debian's python3-torch, for Debian's /usr/bin/python3, which may differ from `python3` on PATH.
 */
export function python(code, interpreters = ['/usr/bin/python3', 'python3']) {
  for (const py of interpreters) {
    try {
      return JSON.parse(execFileSync(py, ['-c', code], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'ignore'] }));
    } catch {
      // the next interpreter
    }
  }
  return null;
}

/** Python's side of `time`: `t(f, reps, warm)` gives the median milliseconds. */
export const PY_TIME = `
import json, time
def t(f, reps=10, warm=2):
    for _ in range(warm): f()
    ts = []
    for _ in range(reps):
        a = time.perf_counter(); f(); ts.append((time.perf_counter() - a) * 1e3)
    return sorted(ts)[len(ts) // 2]
`;

export function table(title, header, rows) {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => '| ' + r.map((c, i) => String(c).padStart(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

export const fmt = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
