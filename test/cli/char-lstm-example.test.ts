/** examples/char-lstm.ts run as a user runs it, briefly: the loss falls well below ln(vocabulary), the SVG is written. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('char-LSTM example (short)', () => {
  it('100 steps: the loss falls from ~3.2 below 1.2, a loss curve is written', () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-char-lstm-'));
    const r = spawnSync(process.execPath, ['bin/graft.js', 'run', 'examples/char-lstm.ts', '--steps', '100', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const losses = [...r.stdout.matchAll(/step \d+: loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses[0]!).toBeGreaterThan(3);
    expect(losses[losses.length - 1]!).toBeLessThan(1.2);
    expect(r.stdout).toMatch(/sample: t/);
    expect(readFileSync(join(out, 'char-lstm-loss.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path d="M/);
  }, 600_000);
});
