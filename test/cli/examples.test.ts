/** The examples run through `graft run` as a user runs them (README: `npx graft run examples/01-tensors.ts`). */
import { spawnSync } from 'node:child_process';
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
    // Both directions of the bridge: the array follows the tensor, the tensor follows the array.
    expect(r.stdout).toContain('t: tensor([2., 2., 2., 2., 2.])\nn: [2, 2, 2, 2, 2]\n');
    expect(r.stdout).toContain('t: tensor([2., 2., 2., 2., 2.], dtype=torch.float64)\nn: [2, 2, 2, 2, 2]\n');
  });
});
