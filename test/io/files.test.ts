import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { caught } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'graft-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const f32 = (v: number[]): torch.Tensor => torch.tensor(v, { dtype: torch.float32 });

describe('file system failures are FileErrors naming the path given and the cause', () => {
  it('a save into a missing folder', () => {
    const p = join(dir, 'no', 'such', 'folder', 'w.safetensors');
    for (const save of [() => torch.save({ w: f32([1]) }, p), () => torch.saveNpy(f32([1]), p), () => torch.io.saveFile({ w: f32([1]) }, p)]) {
      const e = caught(save) as torch.FileError;
      expect(e).toBeInstanceOf(torch.FileError);
      expect(e.code).toBe('ENOENT');
      expect(e.path).toBe(p);
      expect(e.message).toContain(`cannot write '${p}': no such file or directory (ENOENT) (the folder '${join(dir, 'no', 'such', 'folder')}' does not exist)`);
      expect(e.message).not.toContain('.tmp');
      expect(e.message).not.toContain('graft-tmp');
    }
  });

  it('a load of a missing file, of a folder, of a file without permission', () => {
    const p = join(dir, 'missing.safetensors');
    const loads: [string, (p: string) => unknown][] = [
      ['load', (q) => torch.load(q)],
      ['loadFile', (q) => torch.io.loadFile(q)],
      ['loadMetadata', (q) => torch.io.loadMetadata(q)],
      ['loadNpy', (q) => torch.loadNpy(q)],
      ['readIdx', (q) => torch.datasets.readIdx(q)],
    ];
    for (const [op, load] of loads) {
      const e = caught(() => load(p)) as torch.FileError;
      expect(e).toBeInstanceOf(torch.FileError);
      expect(e.message).toBe(`${op}: cannot read '${p}': no such file or directory (ENOENT)`);
      const d = caught(() => load(dir)) as torch.FileError;
      expect(d).toBeInstanceOf(torch.FileError);
      expect(d.code).toBe('EISDIR');
    }
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.npy');
      torch.saveNpy(f32([1]), locked);
      chmodSync(locked, 0o000);
      expect((caught(() => torch.loadNpy(locked)) as torch.FileError).code).toBe('EACCES');
    }
  });

  it('paths and byte arguments of the wrong type are ArgumentErrors', () => {
    for (const bad of [undefined, null, 5, {}, ['a'], '']) {
      expect(caught(() => torch.save({ w: f32([1]) }, bad as never))).toBeInstanceOf(torch.ArgumentError);
      expect(caught(() => torch.load(bad as never))).toBeInstanceOf(torch.ArgumentError);
      expect(caught(() => torch.loadNpy(bad as never))).toBeInstanceOf(torch.ArgumentError);
      expect(caught(() => torch.io.fromNpy(bad as never))).toBeInstanceOf(torch.ArgumentError);
      expect(caught(() => torch.io.deserialize(bad as never))).toBeInstanceOf(torch.ArgumentError);
      expect(caught(() => torch.datasets.parseIdx(bad as never))).toBeInstanceOf(torch.ArgumentError);
    }
    expect(caught(() => torch.saveNpy([1, 2] as never, join(dir, 'x.npy')))).toEqual(new torch.ArgumentError("saveNpy(): argument 'tensor' must be a Tensor, not an array"));
    expect(caught(() => torch.save({ w: f32([1]) }, join(dir, 'o.safetensors'), { meta: {} } as never))).toBeInstanceOf(torch.ArgumentError);
    expect(caught(() => torch.load(join(dir, 'o.safetensors'), { map_location: 'cpu' } as never))).toBeInstanceOf(torch.ArgumentError);
  });
});

describe('saves through symbolic links and after killed saves', () => {
  it('a save through a symbolic link writes its target and keeps the link', () => {
    const real = join(dir, 'real.safetensors');
    const link = join(dir, 'link.safetensors');
    torch.save({ w: f32([1]) }, real);
    symlinkSync('real.safetensors', link);
    torch.save({ w: f32([2, 3]) }, link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('real.safetensors');
    expect(torch.load(real).w!.tolist()).toEqual([2, 3]);
    // A chain of links, and a link to a file that does not exist yet.
    const link2 = join(dir, 'link2.safetensors');
    symlinkSync(link, link2);
    torch.saveNpy(f32([4]), link2);
    expect(lstatSync(link2).isSymbolicLink()).toBe(true);
    expect(torch.loadNpy(real).tolist()).toEqual([4]);
    const dangling = join(dir, 'dangling.npy');
    symlinkSync('later.npy', dangling);
    torch.saveNpy(f32([5]), dangling);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(torch.loadNpy(join(dir, 'later.npy')).tolist()).toEqual([5]);
  });

  it('a link cycle is a FileError', () => {
    const a = join(dir, 'cycle-a');
    const b = join(dir, 'cycle-b');
    symlinkSync(b, a);
    symlinkSync(a, b);
    expect((caught(() => torch.save({ w: f32([1]) }, a)) as torch.FileError).code).toBe('ELOOP');
  });

  it('the temporary file of a killed save is removed by the next save to that folder', () => {
    const folder = join(dir, 'killed');
    mkdirSync(folder);
    // A process that has exited: its pid names no live process.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = join(folder, `.w.safetensors.${gone}.lx1a2b0.graft-tmp`);
    const fresh = join(folder, `.v.safetensors.${gone}.lx1a2b1.graft-tmp`);
    const live = join(folder, `.u.safetensors.${process.pid}.lx1a2b2.graft-tmp`);
    const abandoned = join(folder, `.t.safetensors.${process.pid}.lx1a2b3.graft-tmp`);
    const unrelated = join(folder, '.notes.tmp');
    for (const p of [stale, fresh, live, abandoned, unrelated]) writeFileSync(p, 'half a checkpoint');
    const past = (ms: number): Date => new Date(Date.now() - ms);
    utimesSync(stale, past(5 * 60_000), past(5 * 60_000));
    utimesSync(live, past(5 * 60_000), past(5 * 60_000));
    utimesSync(abandoned, past(48 * 3600_000), past(48 * 3600_000));
    torch.save({ w: f32([1]) }, join(folder, 'other.safetensors'));
    const left = readdirSync(folder).sort();
    // Stale (its process is gone) and abandoned (two days old) temporaries go; a minute-fresh one, one whose
    // process lives, and files that are not graft's stay.
    expect(left).toEqual(['.notes.tmp', `.u.safetensors.${process.pid}.lx1a2b2.graft-tmp`, `.v.safetensors.${gone}.lx1a2b1.graft-tmp`, 'other.safetensors']);
    expect(existsSync(stale)).toBe(false);
  });
});

describe('checkpoints holding numbers JSON cannot hold, and objects that are not trees', () => {
  it('NaN, ±Infinity and -0 in the tree save and load back equal', () => {
    const p = join(dir, 'special.safetensors');
    const ckpt = {
      optim: { paramGroups: [{ lr: 0.1, maxNorm: Infinity, clip: -Infinity, params: [0] }] },
      metrics: [NaN, 0.5, -0],
      best: { loss: Infinity },
      w: f32([1, 2]),
    };
    torch.save(ckpt, p);
    const back = torch.load<typeof ckpt>(p);
    expect(back.optim).toEqual(ckpt.optim);
    expect(back.metrics).toEqual([NaN, 0.5, -0]);
    expect(Object.is(back.metrics[2], -0)).toBe(true);
    expect(back.best.loss).toBe(Infinity);
    expect(back.w.tolist()).toEqual([1, 2]);
    // A key that would be read back as a number is reserved.
    expect(caught(() => torch.save({ a: { '$graft.number': 'NaN' } }, p))).toBeInstanceOf(torch.ValueError);
    // Bytes, too: serialize / deserialize.
    expect(torch.io.deserialize<{ x: number }>(torch.io.serialize({ x: NaN, t: f32([1]) })).x).toBeNaN();
  });

  it('a cyclic object is a ValueError naming where the cycle closes; shared (acyclic) parts are fine', () => {
    const p = join(dir, 'cyclic.safetensors');
    const a: Record<string, unknown> = { w: f32([1]), epoch: 1 };
    a.self = a;
    const e = caught(() => torch.save(a, p));
    expect(e).toBeInstanceOf(torch.ValueError);
    expect(e.message).toBe('save: the object refers to itself at "self" (a cycle); a state dict must be a tree');
    const list: unknown[] = [1];
    list.push({ back: list });
    expect(caught(() => torch.save({ list }, p)).message).toContain('at "list.1.back"');
    const shared = { lr: 0.1 };
    torch.save({ a: shared, b: shared, t: f32([1]) }, p);
    expect(torch.load<{ a: unknown; b: unknown }>(p)).toMatchObject({ a: { lr: 0.1 }, b: { lr: 0.1 } });
    expect(existsSync(p)).toBe(true);
  });

  it('trees nested too deeply are refused, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(caught(() => torch.save({ deep, t: f32([1]) }, join(dir, 'deep.safetensors')))).toBeInstanceOf(torch.ValueError);
    const bytes = torch.io.serialize({ x: 1, t: f32([1]) });
    // The same file with its tree replaced by a deeply nested one (hand-edited metadata).
    const text = new TextDecoder().decode(bytes);
    const tree = '['.repeat(5000) + ']'.repeat(5000);
    const edited = text.replace(/"graft\.state":"(?:[^"\\]|\\.)*"/, `"graft.state":${JSON.stringify(tree)}`);
    const header = edited.slice(8, edited.indexOf('}}') + 2);
    const body = new TextEncoder().encode(header + ' '.repeat((8 - (header.length % 8)) % 8));
    const out = new Uint8Array(8 + body.length + 4);
    new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
    out.set(body, 8);
    out.set(bytes.subarray(bytes.length - 4), 8 + body.length);
    expect(caught(() => torch.io.deserialize(out))).toBeInstanceOf(torch.FormatError);
    void readFileSync;
  });
});
