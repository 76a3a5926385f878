/** The autograd walkthrough example runs and prints the tutorial's numbers. */
import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

it('examples/02-autograd.ts prints the tutorial values', async () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  await import('../../examples/02-autograd.js');
  const text = lines.join('\n');
  expect(text).toContain('y.creator: AddBackward0');
  expect(text).toContain('z = y * y * 3 = [[27,27],[27,27]]');
  expect(text).toContain('x.grad (d out / dx) = [[4.5,4.5],[4.5,4.5]]');
  expect(text).toContain('requiresGrad of x, b, w, y, z: false true true true true');
  expect(text).toContain('w.grad (= x) = [1]');
  expect(text).toContain('w.grad after a second backward (accumulated) = [2]');
  expect(text).toContain('third backward: backward: Trying to backward through the graph a second time');
  expect(text).toContain('under noGrad: false');
  expect(text).toMatch(/the backward program of f:\n\{ lambda a:f64\[\]\. let\n/);
  // x.grad of y = x**2 exp(x) equals the hand-written formula, printed on the next line
  const grad = lines.find((l) => l.startsWith('x.grad = [['))!;
  const byHand = lines.find((l) => l.startsWith('2*x*exp(x) + x**2*exp(x) = '))!;
  const parse = (l: string): number[] => (JSON.parse(l.slice(l.indexOf('['))) as number[][]).flat();
  const a = parse(grad);
  const b = parse(byHand);
  expect(a.length).toBe(12);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
});
