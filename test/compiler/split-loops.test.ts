/**
 * Loop splitting (lower/merge-loops.ts): a short innermost loop read as (i / d, i % d) — the columns of a
 * pooling backward read through the pooled grid — becomes two loops, so its elements index without dividing.
 */
import { describe, expect, test } from 'vitest';
import { build, type Node } from '../../src/ir/index.js';
import { getDevice, interpret, plannedKernels } from '../../src/runtime/index.js';
import { expectClose } from '../helpers.js';

const cpu = getDevice('cpu');

const buffer = (shape: number[], f: (i: number) => number): Node => {
  const n = shape.reduce((a, b) => a * b, 1);
  return build.buffer(cpu.fromHost('float64', Float64Array.from({ length: n }, (_, i) => f(i))), shape);
};

/** u [N, C, H, W] repeated 2x2: [N, C, 2H, 2W], read through (h / 2, w / 2). */
const upsample2 = (u: Node): Node => {
  const [n, c, h, w] = u.shape as [number, number, number, number];
  const e = build.expand(build.reshape(u, [n, c, h, 1, w, 1]), [n, c, h, 2, w, 2]);
  return build.reshape(e, [n, c, 2 * h, 2 * w]);
};

describe('loops read through divisions are split', () => {
  test('a pooling-backward-like kernel: same values as the float64 reference, no division of the inner loop left', () => {
    const x = buffer([3, 4, 10, 10], (i) => Math.sin(i * 0.37));
    const m = buffer([3, 4, 5, 5], (i) => Math.cos(i * 0.11));
    const g = buffer([3, 4, 5, 5], (i) => 1 + (i % 7));
    // gradient flows to where x equals its window's value, divided by the window's count
    const eq = build.binary('eq', build.binary('max', x, upsample2(m)), x);
    const root = build.where(eq, build.binary('div', upsample2(g), x), build.constant(0, 'float64', x.shape));
    const got = cpu.execute([root])[0]!.host!;
    expectClose(got, interpret([root], { float64: true })[0]!, { rtol: 1e-15, atol: 0 });
    const src = plannedKernels([root]).map((k) => k.source).join('\n');
    // the innermost loop (w, 10 long) is split in (w / 2, w % 2): no division of it is left; the outer
    // loop's division stays (the C compiler hoists it out of the inner loops)
    expect(src).toMatch(/for \(long (i\d+)h2 = 0; \1h2 < \(5\)/);
    expect(src).not.toMatch(/\(i\d+\) [/%] 2L?\b/);
  });
});
