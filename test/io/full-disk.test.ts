/**
 * A full disk, simulated: node:fs's writeSync fails with ENOSPC while `full` is set (a real full file system
 * cannot be made in a test). The save must fail with a FileError naming the user's path, leave the previous
 * file whole and leave no temporary file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ full: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return (fs.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const torch = await import('../../src/index.js');

const dir = mkdtempSync(join(tmpdir(), 'graft-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a full disk', () => {
  it('is a FileError naming the path and ENOSPC; the previous file stays whole and no temporary file is left', () => {
    const p = join(dir, 'ckpt.safetensors');
    torch.save({ w: torch.tensor([1, 2], { dtype: torch.float32 }) }, p);
    const before = readFileSync(p);
    disk.full = true;
    let e: unknown;
    try {
      torch.save({ w: torch.tensor([3, 4], { dtype: torch.float32 }), epoch: 2 }, p);
    } catch (err) {
      e = err;
    } finally {
      disk.full = false;
    }
    expect(e).toBeInstanceOf(torch.FileError);
    const fe = e as InstanceType<typeof torch.FileError>;
    expect(fe.code).toBe('ENOSPC');
    expect(fe.path).toBe(p);
    expect(fe.message).toBe(`save: cannot write '${p}': no space left on device (ENOSPC)`);
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ckpt.safetensors']);
  });
});
