import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'graft-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** IDX bytes built by hand: [0, 0, type, ndim], big-endian sizes, then the element bytes. */
function idx(type: number, shape: number[], body: number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  out.set([0, 0, type, shape.length]);
  const dv = new DataView(out.buffer);
  shape.forEach((d, k) => dv.setUint32(4 + 4 * k, d, false));
  out.set(body, 4 + 4 * shape.length);
  return out;
}

describe('IDX parser', () => {
  const { parseIdx } = torch.datasets;

  it('reads ubyte, big-endian int and float files', () => {
    const u = parseIdx(idx(0x08, [2, 3], [1, 2, 3, 4, 5, 255]), 'u');
    expect(u.type).toBe('ubyte');
    expect(u.shape).toEqual([2, 3]);
    expect(Array.from(u.data)).toEqual([1, 2, 3, 4, 5, 255]);
    const i = parseIdx(idx(0x0c, [2], [0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]), 'i');
    expect([i.type, Array.from(i.data)]).toEqual(['int', [-2, 256]]);
    const f = parseIdx(idx(0x0d, [1], [0x3f, 0xc0, 0, 0]), 'f');
    expect([f.type, Array.from(f.data)]).toEqual(['float', [1.5]]);
    const s = parseIdx(idx(0x09, [2], [0x80, 0x7f]), 's');
    expect(Array.from(s.data)).toEqual([-128, 127]);
  });

  const bad = (what: string, bytes: Uint8Array, message: RegExp): void => {
    it(what, () => {
      expect(() => parseIdx(bytes, 'f.idx')).toThrow(torch.FormatError);
      expect(() => parseIdx(bytes, 'f.idx')).toThrow(message);
    });
  };
  bad('too small', new Uint8Array([0, 0]), /too small/);
  bad('bad magic', Uint8Array.from(idx(0x08, [1], [1]), (b, i) => (i === 0 ? 1 : b)), /magic number/);
  bad('unknown type', idx(0x07, [1], [1]), /unknown IDX element type 0x07/);
  bad('truncated sizes', idx(0x08, [1, 2], []).subarray(0, 9), /ends inside the 2 dimension sizes/);
  bad('too little data', idx(0x08, [2, 2], [1, 2, 3]), /need 4 bytes of data but the file holds 3/);
  bad('too much data', idx(0x08, [2], [1, 2, 3]), /need 2 bytes of data but the file holds 3/);
  bad('huge sizes', idx(0x08, [0xffffffff, 0xffffffff], [1]), /need .* bytes of data but the file holds 1/);

  it('readIdx gunzips, and reports a broken gzip stream', () => {
    const p = join(dir, 'x.gz');
    writeFileSync(p, gzipSync(idx(0x08, [3], [7, 8, 9])));
    expect(Array.from(torch.datasets.readIdx(p).data)).toEqual([7, 8, 9]);
    writeFileSync(p, Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    expect(() => torch.datasets.readIdx(p)).toThrow(torch.FormatError);
  });
});

describe('MNIST from a folder of IDX files', () => {
  /** Image k of a tiny hand-made set: pixel p = (k * 31 + p) % 256. */
  const pixels = (n: number): Uint8Array => Uint8Array.from({ length: n * 784 }, (_, i) => (Math.floor(i / 784) * 31 + (i % 784)) % 256);

  function writeSet(folder: string, prefix: string, labels: number[], gz: boolean): void {
    mkdirSync(folder, { recursive: true });
    const put = (name: string, bytes: Uint8Array): void => writeFileSync(join(folder, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
    put(`${prefix}-images-idx3-ubyte`, idx(0x08, [labels.length, 28, 28], pixels(labels.length)));
    put(`${prefix}-labels-idx1-ubyte`, idx(0x08, [labels.length], labels));
  }

  it('reads train and test files, plain or gzipped, in root or root/MNIST/raw', () => {
    const root = join(dir, 'mnist');
    writeSet(root, 'train', [5, 0, 4], false);
    writeSet(join(root, 'MNIST', 'raw'), 't10k', [7, 2], true);
    const train = new torch.datasets.MNIST({ root });
    expect(train.length).toBe(3);
    expect(train.data.shape).toEqual([3, 1, 28, 28]);
    expect(train.data.dtype).toBe('float32');
    expect(train.targets.dtype).toBe('int64');
    expect(train.targets.tolist()).toEqual([5, 0, 4]);
    const [img, label] = train.getItem(1);
    expect(img.shape).toEqual([1, 28, 28]);
    expect(label).toBe(0);
    const expected = Array.from(pixels(3).subarray(784, 1568), (b) => Math.fround(b / 255));
    expect(Array.from((img.dataSync()) as ArrayLike<number | bigint>, Number)).toEqual(expected);
    const test = new torch.datasets.MNIST({ root, train: false });
    expect(test.targets.tolist()).toEqual([7, 2]);
  });

  it('checks the files: missing, wrong sizes, mismatched counts, bad labels', () => {
    const root = join(dir, 'broken');
    mkdirSync(root, { recursive: true });
    expect(() => new torch.datasets.MNIST({ root })).toThrow(/no train images file/);
    writeFileSync(join(root, 'train-images-idx3-ubyte'), idx(0x08, [1, 27, 28], new Uint8Array(27 * 28)));
    writeFileSync(join(root, 'train-labels-idx1-ubyte'), idx(0x08, [1], [3]));
    expect(() => new torch.datasets.MNIST({ root })).toThrow(/expected ubyte images \[N, 28, 28\]/);
    writeFileSync(join(root, 'train-images-idx3-ubyte'), idx(0x08, [2, 28, 28], new Uint8Array(2 * 784)));
    expect(() => new torch.datasets.MNIST({ root })).toThrow(/2 images .* but 1 labels/);
    writeFileSync(join(root, 'train-labels-idx1-ubyte'), idx(0x08, [2], [3, 10]));
    expect(() => new torch.datasets.MNIST({ root })).toThrow(/label 1 is 10/);
    writeFileSync(join(root, 'train-labels-idx1-ubyte'), idx(0x08, [2], [3]));
    expect(() => new torch.datasets.MNIST({ root })).toThrow(torch.FormatError);
  });
});
