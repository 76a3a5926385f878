/** Inspection: GRAFT_DEBUG levels 1-4 and torch.ir.kernels / torch.ir.print. */
import { afterEach, describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { captureStderr } from '../helpers.js';

/** Set GRAFT_DEBUG and wait past the 10 ms for which graft keeps the level it read (src/runtime/debug.ts). */
async function setLevel(v: string | undefined): Promise<void> {
  if (v === undefined) delete process.env.GRAFT_DEBUG;
  else process.env.GRAFT_DEBUG = v;
  await new Promise((r) => setTimeout(r, 15));
}

afterEach(async () => {
  await setLevel(undefined);
});

describe('GRAFT_DEBUG', () => {
  test('level 1: a line per realization; 2: a line per kernel; 3: the schedule; 4: the C source', async () => {
    // Another length is another program (another constant would not: constants that are data are inputs).
    const make = (n: number) => torch.rand(n).mul(2).add(1).tanh();
    make(64).realize();
    await setLevel('1');
    const one = captureStderr(() => make(64).realize());
    expect(one).toMatch(/^graft cpu: 1 kernel, program cache hit, [\d.]+ ms\n$/);
    await setLevel('2');
    const two = captureStderr(() => make(64).realize());
    expect(two).toMatch(/\n {2}k0 +loops +float32\[64\] +[\d.]+ us +[\d.]+ GFLOP\/s +[\d.]+ GB\/s +([\d.]+|-)% of roofline\n$/);
    await setLevel('3');
    const three = captureStderr(() => make(65).realize());
    expect(three).toContain('program: 1 kernel (1 distinct), 1 buffers');
    expect(three).toMatch(/k0 loops float32\[65\] <- in0 b1 fuses rand mul add tanh/);
    expect(three).toMatch(/new program/);
    await setLevel('4');
    const four = captureStderr(() => make(66).realize());
    expect(four).toMatch(/int k_[0-9a-f]{20}\(void \*\*restrict bufs\)/);
    expect(four).toContain('graft_tanhf(');
  });
  test('level 0 prints nothing', () => {
    expect(captureStderr(() => torch.rand(8).mul(5).realize())).toBe('');
  });
});

describe('torch.ir', () => {
  test('kernels(t) lists the kernels computing t with their C, and nothing once t is computed', () => {
    const x = torch.rand(10, 20);
    const y = x.mul(2).add(x.exp());
    const ks = torch.ir.kernels(y);
    expect(ks).toHaveLength(1);
    expect(ks[0]).toMatchObject({ name: 'k0', kind: 'loops', shape: [10, 20], dtype: 'float32' });
    expect(ks[0]!.ops).toEqual(expect.arrayContaining(['rand', 'exp', 'mul', 'add']));
    expect(ks[0]!.source).toMatch(/^int k_[0-9a-f]{20}\(void \*\*restrict bufs\) \{/);
    expect(ks[0]!.source.startsWith(`int ${ks[0]!.function}(`)).toBe(true);
    y.realize();
    expect(torch.ir.kernels(y)).toEqual([]);
  });
  test('print(t) is the pending graph as text', () => {
    const t = torch.ones(3).mul(2);
    expect(torch.ir.print(t)).toMatch(/^\{ lambda \. let\n.*mul.*\n {2}in \(\w+\) \}$/s);
  });
});
