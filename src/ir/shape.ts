import { IndexError, ShapeError } from './errors.js';

export type Shape = readonly number[];

export const numel = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export function shapeEq(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major (C order) strides, in elements. */
export function contiguousStrides(s: Shape): number[] {
  const st = new Array<number>(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= s[i]!;
  }
  return st;
}

export const fmtShape = (s: Shape): string => `[${s.join(', ')}]`;

/** PyTorch's broadcasting of two shapes, with its error text. */
export function broadcastShapes(a: Shape, b: Shape, op?: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const ai = i - (n - a.length);
    const bi = i - (n - b.length);
    const x = ai >= 0 ? a[ai]! : 1;
    const y = bi >= 0 ? b[bi]! : 1;
    if (x === y || y === 1) out[i] = x;
    else if (x === 1) out[i] = y;
    else {
      throw new ShapeError(
        `${op ? op + ': ' : ''}The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}` +
          ` (shapes ${fmtShape(a)} and ${fmtShape(b)})`,
      );
    }
  }
  return out;
}

export function broadcastAll(shapes: Shape[], op?: string): number[] {
  let out: number[] = [];
  for (const s of shapes) out = broadcastShapes(out, s, op);
  return out;
}

/** Normalize a possibly negative dim against a rank, with PyTorch's error text. */
export function normDim(dim: number, rank: number, op?: string): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new IndexError(
      `${op ? op + ': ' : ''}Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + r : dim;
}

export function normDims(dims: number | readonly number[] | undefined | null, rank: number, op?: string): number[] {
  if (dims === undefined || dims === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const out = list.map((d) => normDim(d, rank, op));
  if (new Set(out).size !== out.length) {
    throw new ShapeError(`${op ? op + ': ' : ''}dim ${out.find((d, i) => out.indexOf(d) !== i)} appears multiple times in the list of dims`);
  }
  return out.sort((x, y) => x - y);
}

/** Resolve a reshape target containing at most one -1, with PyTorch's error text. */
export function inferShape(target: readonly number[], total: number, from: Shape, op = 'reshape'): number[] {
  let infer = -1;
  let known = 1;
  target.forEach((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new ShapeError(`${op}: only one dimension can be inferred`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape dimension ${d}`);
    } else known *= d;
  });
  const out = [...target];
  if (infer >= 0) {
    if (known === 0 && total === 0) {
      throw new ShapeError(
        `${op}: cannot reshape tensor of 0 elements into shape ${fmtShape(target)} because the unspecified dimension size -1 can be any value and is ambiguous`,
      );
    }
    if (known === 0 || total % known !== 0) {
      throw new ShapeError(`${op}: shape '${fmtShape(target)}' is invalid for input of size ${total} (input shape ${fmtShape(from)})`);
    }
    out[infer] = total / known;
  } else if (known !== total) {
    throw new ShapeError(`${op}: shape '${fmtShape(target)}' is invalid for input of size ${total} (input shape ${fmtShape(from)})`);
  }
  return out;
}

/**
 * out[i] = src[offset + sum_k idx_k * strides_k] for the row-major multi-indices idx of `shape`: a strided
 * view (permute, expand, slice, flip, broadcast, Fortran order) copied into row-major memory, on the host.
 */
export function stridedCopy(
  src: ArrayLike<unknown>,
  out: { [i: number]: unknown; readonly length: number },
  shape: readonly number[],
  strides: readonly number[],
  offset = 0,
): void {
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  let p = offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[p]!;
    for (let k = r - 1; k >= 0; k--) {
      idx[k]!++;
      p += strides[k]!;
      if (idx[k]! < shape[k]!) break;
      p -= strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}
