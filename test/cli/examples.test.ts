/** The examples run through `graft run` as a user runs them (README: `npx graft run examples/01-tensors.ts`). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('examples', () => {
  it('01-tensors.ts walks through tensors and the NumPy bridge', () => {
    const r = spawnSync(process.execPath, ['bin/graft.js', 'run', 'examples/01-tensors.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Tensor from data:\ntensor([[1, 2],\n        [3, 4]])\n');
    expect(r.stdout).toContain('Tensor from a typed array:\ntensor([1., 2., 3., 4.], dtype=torch.float64)\n');
    expect(r.stdout).toContain('gives the same: true; so does writing into y3: true');
    expect(r.stdout).toContain('CUDA available: false');
    // x[:, 1] = 0 through a view, then cat along dim 1, then tensor @ tensor.T and sum().item()
    expect(r.stdout).toContain('tensor([[1., 0., 1., 1.],\n        [1., 0., 1., 1.],\n        [1., 0., 1., 1.],\n        [1., 0., 1., 1.]])\n');
    expect(r.stdout).toContain('tensor([[1., 0., 1., 1., 1., 0., 1., 1., 1., 0., 1., 1.],');
    expect(r.stdout).toContain('the three ways agree: true');
    expect(r.stdout).toContain('12 number');
    // Both directions of the bridge: the array follows the tensor, the tensor follows the array.
    expect(r.stdout).toContain('t: tensor([2., 2., 2., 2., 2.])\nn: [2, 2, 2, 2, 2]\n');
    expect(r.stdout).toContain('t: tensor([2., 2., 2., 2., 2.], dtype=torch.float64)\nn: [2, 2, 2, 2, 2]\n');
  });

  it('02-autograd.ts prints the tutorial values', () => {
    const r = spawnSync(process.execPath, ['bin/graft.js', 'run', 'examples/02-autograd.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = r.stdout;
    const lines = text.split('\n');
    expect(text).toContain('y.creator: AddBackward0');
    expect(text).toContain('z = y * y * 3 = [[27,27],[27,27]]');
    expect(text).toContain('out = z.mean() = 27');
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
});

describe('MNIST training (short)', () => {
  it('examples/mnist.ts: LeNet on the real digits, a few hundred steps: the loss falls, outputs are written', () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-mnist-'));
    const r = spawnSync(process.execPath, ['bin/graft.js', 'run', 'examples/mnist.ts', '--max-steps', '200', '--epochs', '2', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // plain progress lines (not a TTY): "epoch 1/2 13/125 | loss 2.148 | acc 0.2452 | samples/s 102"
    const losses = [...r.stderr.matchAll(/\| loss ([\d.]+) \|/g)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThan(5);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    const acc = Number(/test accuracy ([\d.]+)%/.exec(r.stdout)![1]);
    expect(acc).toBeGreaterThan(85);
    expect(statSync(join(out, 'lenet.safetensors')).size).toBeGreaterThan(4 * 60_000);
    expect(readFileSync(join(out, 'lenet-curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path d="M/);
    expect(r.stdout).toContain(`weights: ${join(out, 'lenet.safetensors')}`);
  }, 600_000);
});

describe('README', () => {
  it('the tour runs as written', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const tour = blocks.find((b) => b.includes('class Net extends nn.Module'));
    expect(tour).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'graft-readme-'));
    writeFileSync(join(dir, 'tour.ts'), tour!);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/graft.js'), 'run', 'tour.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(statSync(join(dir, 'net.safetensors')).size).toBeGreaterThan(4 * 784 * 128);
  });
});

describe('a small transformer (short)', () => {
  it('examples/transformer-reverse.ts: the encoder learns to reverse digit sequences (held-out accuracy 100% by step 50)', () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-transformer-'));
    const r = spawnSync(process.execPath, ['bin/graft.js', 'run', 'examples/transformer-reverse.ts', '--steps', '50', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/step 1: loss 2\.\d+/);
    expect(r.stdout).toMatch(/trained 50 steps in [\d.]+ s; held-out token accuracy 100\.00%/);
    expect(r.stdout).toContain('input    7,3,5,1,6,8,5,0\nreversed 0,5,8,6,1,5,3,7');
    expect(statSync(join(out, 'transformer-reverse-loss.svg')).size).toBeGreaterThan(1000);
  }, 300_000);
});
