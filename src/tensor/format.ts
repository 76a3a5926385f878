/**
 * Printing tensors the way PyTorch prints them (`toString()`, `console.log(t)`):
 *
 *   tensor([[0.1234, 0.5678],
 *           [1.0000, 2.0000]], dtype=torch.float64, requires_grad=True)
 *
 * The rules follow PyTorch's torch/_tensor_str.py (1.13): one formatter per tensor chooses between fixed,
 * integer-valued (`1.`) and scientific notation from the nonzero finite values and pads every element to a
 * common width; rows wrap at `linewidth`; tensors above `threshold` elements show `edgeitems` items at each
 * edge of every dimension around `...`; suffixes name what is not the default (device, dtype, autograd).
 * The defaults are float32, int64 and bool, so those print without a dtype (int32 tensors name theirs).
 */
import { z } from 'zod';
import { ArgumentError, contiguousStrides, DEFAULT_FLOAT, DEFAULT_INT, isFloat, ValueError, type DType, type TypedArray } from '../ir/index.js';
import { bool, defineOptions, describeValue, real } from './options.js';
import { formatExponential, formatFixed } from './format-number.js';
import { getDefaultDevice, Tensor } from './tensor.js';

export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision: number;
  /** Tensors with more elements than this are summarized (default 1000). */
  threshold: number;
  /** Items shown at each edge of a summarized dimension (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 80). */
  linewidth: number;
  /** Force scientific notation on (true) or off (false); null lets the formatter decide. */
  sciMode: boolean | null;
}

const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
} as const;

const options: PrintOptions = { ...PROFILES.default, sciMode: null };

export interface SetPrintOptions extends Partial<Omit<PrintOptions, 'sciMode'>> {
  /** Start from a preset: 'default', 'short' (precision 2, 2 edge items) or 'full' (never summarize). */
  profile?: keyof typeof PROFILES;
  /** As PyTorch: every call sets it (leaving it out means null, the formatter decides). */
  sciMode?: boolean | null;
}

const PRINT_OPTIONS = defineOptions('setPrintOptions', {
  profile: z.string().optional(),
  precision: real.optional(),
  threshold: real.optional(),
  edgeitems: real.optional(),
  linewidth: real.optional(),
  sciMode: bool.nullable().optional(),
});

/** torch.set_printoptions. */
export function setPrintOptions(opts: SetPrintOptions = {}): void {
  opts = PRINT_OPTIONS.parse(opts) as SetPrintOptions;
  const check = (name: string, v: number | undefined, ok: (v: number) => boolean, what: string): void => {
    if (v !== undefined && !ok(v)) throw new ValueError(`setPrintOptions: ${name} must be ${what}, got ${v}`);
  };
  const count = (v: number): boolean => Number.isInteger(v) && v >= 0;
  check('precision', opts.precision, (v) => count(v) && v <= 100, 'an integer from 0 to 100');
  check('threshold', opts.threshold, (v) => v >= 0, 'a non-negative number (Infinity: never summarize)');
  check('edgeitems', opts.edgeitems, count, 'a non-negative integer');
  check('linewidth', opts.linewidth, count, 'a non-negative integer');
  if (opts.profile !== undefined) {
    if (!Object.hasOwn(PROFILES, opts.profile)) throw new ValueError(`setPrintOptions: unknown profile '${opts.profile}'; expected default, short or full`);
    Object.assign(options, PROFILES[opts.profile]);
  }
  if (opts.precision !== undefined) options.precision = opts.precision;
  if (opts.threshold !== undefined) options.threshold = opts.threshold;
  if (opts.edgeitems !== undefined) options.edgeitems = opts.edgeitems;
  if (opts.linewidth !== undefined) options.linewidth = opts.linewidth;
  options.sciMode = opts.sciMode ?? null;
}

/** The current print options (a copy). */
export function getPrintOptions(): PrintOptions {
  return { ...options };
}

/** Formats the elements of one tensor to a common width (PyTorch's _Formatter). */
class ElementFormatter {
  private readonly float: boolean;
  private intMode = true;
  private sciMode = false;
  readonly width: number;

  /** `values`: the elements that will be shown (the edges only, for a summarized tensor). */
  constructor(
    private readonly dtype: DType,
    values: ArrayLike<number | bigint>,
  ) {
    this.float = isFloat(dtype);
    let width = 1;
    if (!this.float) {
      for (let i = 0; i < values.length; i++) width = Math.max(width, this.format(values[i]!).length);
      this.width = width;
      return;
    }
    const finite = (Array.from(values) as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) {
      // Only zeros and non-finite values: integer mode, width 1, whatever sciMode says (as PyTorch).
      this.width = width;
      return;
    }
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
    }
    this.intMode = finite.every((v) => v === Math.ceil(v));
    const p = options.precision;
    if (max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4)) {
      this.sciMode = true;
      for (const v of finite) width = Math.max(width, formatExponential(v, p).length);
    } else if (this.intMode) {
      // The '.' that marks integer-valued floats counts in the width.
      for (const v of finite) width = Math.max(width, formatFixed(v, 0).length + 1);
    } else {
      for (const v of finite) width = Math.max(width, formatFixed(v, p).length);
    }
    this.width = width;
    if (options.sciMode !== null) this.sciMode = options.sciMode;
  }

  /** One element, left-padded to the common width (int64 elements are bigints: printed exactly). */
  format(e: number | bigint): string {
    let s: string;
    const v = e as number;
    if (!this.float) s = this.dtype === 'bool' ? (v ? 'True' : 'False') : String(e);
    else if (this.sciMode) s = formatExponential(v, options.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, options.precision);
    return s.padStart(this.width, ' ');
  }
}

/** The positions shown along a dimension of `size`: all, or the edges around a gap (null). */
function shownIndices(size: number, summarize: boolean): (number | null)[] {
  const e = options.edgeitems;
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * e) return all;
  return [...all.slice(0, e), null, ...all.slice(size - e)];
}

/** The body of the printed form (`[[1., 2.], ...]`) of row-major `data` with `shape`; `indent`: its column. */
export function formatValues(data: TypedArray, shape: readonly number[], dtype: DType, indent: number): string {
  if (data.length === 0) return '[]';
  const summarize = data.length > options.threshold;
  const strides = contiguousStrides(shape);
  const rank = shape.length;

  // The formatter sees only the elements that are shown.
  const shown: (number | bigint)[] = [];
  const collect = (offset: number, d: number): void => {
    if (d === rank) {
      shown.push(data[offset]!);
      return;
    }
    for (const i of shownIndices(shape[d]!, summarize)) if (i !== null) collect(offset + i * strides[d]!, d + 1);
  };
  collect(0, 0);
  const fmt = new ElementFormatter(dtype, summarize ? shown : data);

  const vector = (offset: number, ind: number): string => {
    const perLine = Math.max(1, Math.floor((options.linewidth - ind) / (fmt.width + 2)));
    const items = shownIndices(shape[rank - 1]!, summarize).map((i) => (i === null ? ' ...' : fmt.format(data[offset + i]!)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
  };
  const block = (offset: number, d: number, ind: number): string => {
    if (d === rank - 1) return vector(offset, ind);
    const parts = shownIndices(shape[d]!, summarize).map((i) => (i === null ? '...' : block(offset + i * strides[d]!, d + 1, ind + 1)));
    return '[' + parts.join(',' + '\n'.repeat(rank - d - 1) + ' '.repeat(ind + 1)) + ']';
  };
  return rank === 0 ? fmt.format(data[0]!) : block(0, 0, indent);
}

/** Append `, suffix` items, each on a new line where it would pass the line width (PyTorch's _add_suffixes). */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  // PyTorch's arithmetic, kept as is: the length of the last line plus one.
  let lastLine = text.length - text.lastIndexOf('\n') + 1;
  let out = text;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > options.linewidth) {
      out += ',\n' + ' '.repeat(indent) + s;
      lastLine = indent + s.length;
    } else {
      out += ', ' + s;
      lastLine += s.length + 2;
    }
  }
  return out + ')';
}

const pyTuple = (shape: readonly number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** The printed form of a tensor, as PyTorch's repr (computes the tensor). */
export function formatTensor(t: Tensor): string {
  if (!(t instanceof Tensor)) throw new ArgumentError(`formatTensor(): argument 'tensor' must be a Tensor, not ${describeValue(t)}`);
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== getDefaultDevice()) suffixes.push(`device='${t.device}'`);
  const shape = t.shape;
  const dtype = t.dtype;
  let body: string;
  if (shape.includes(0)) {
    // No elements to tell the dtype by: any but the default float is named.
    if (shape.length !== 1) suffixes.push(`size=${pyTuple(shape)}`);
    if (dtype !== DEFAULT_FLOAT) suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (dtype !== DEFAULT_FLOAT && dtype !== DEFAULT_INT && dtype !== 'bool') suffixes.push(`dtype=torch.${dtype}`);
    body = formatValues(t.dataSync(), shape, dtype, indent);
  }
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}

declare module './tensor.js' {
  interface Tensor {
    /** The tensor as PyTorch prints it: `tensor([[1., 2.], [3., 4.]])` (computes it). */
    toString(): string;
  }
}

const P = Tensor.prototype as unknown as Record<string | symbol, unknown>;
P.toString = function (this: Tensor) {
  return formatTensor(this);
};
// console.log(t) and util.inspect(t) print the same text.
P[Symbol.for('nodejs.util.inspect.custom')] = function (this: Tensor) {
  return formatTensor(this);
};
