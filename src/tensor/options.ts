/**
 * Options objects (PyTorch's keyword arguments): each function declares its options as a zod shape next to
 * itself (`defineOptions('StepLR', {...})`), and this file turns any failure into a graft error naming the
 * function and the option: an unknown key is an ArgumentError (a snake_case spelling of a known option is told
 * the camelCase name to use), a value of the wrong type an ArgumentError, a value out of range a ValueError.
 *
 * Two ways to apply a spec:
 * - `parse(opts)`: zod's full parse with defaults applied (about 0.1-0.3 µs): for constructors, files, loaders.
 * - `check(opts)`: for tensor ops, which sit on the hot path: nothing at all when no options object is given;
 *   otherwise one loop over its keys with typeof tests derived once from the schema (about 20 ns), zod only for
 *   fields those tests cannot decide and to word the error. It validates; it does not apply defaults.
 */
import { z } from 'zod';
import { ArgumentError, GraftError, ValueError } from '../ir/index.js';
import { Tensor } from './tensor.js';

type Test = (v: unknown) => boolean;

/** Fast tests of schemas made by the helpers below (zod cannot tell what a custom schema accepts). */
const FAST_TESTS = new WeakMap<z.ZodType, Test>();

/** A schema accepting what `test` accepts, described as `expected` ("a Tensor") in errors. */
export function custom<T>(expected: string, test: (v: unknown) => boolean): z.ZodType<T> {
  const s = z.custom<T>(test, { params: { expected } });
  FAST_TESTS.set(s, test);
  return s;
}

/** Any number but NaN (infinities allowed: bounds, learning rates, thresholds may be infinite). */
export const real = custom<number>('a number', (v) => typeof v === 'number' && !Number.isNaN(v));
/** A finite number. */
export const finite = custom<number>('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
/** An integer. */
export const int = custom<number>('an integer', (v) => Number.isSafeInteger(v));
/** An integer >= 0. */
export const count = custom<number>('a non-negative integer', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
/** A boolean. */
export const bool = custom<boolean>('a boolean', (v) => typeof v === 'boolean');
/** A string. */
export const str = custom<string>('a string', (v) => typeof v === 'string');
/** A Tensor. */
export const tensorArg = custom<Tensor>('a Tensor', (v) => v instanceof Tensor);
/** A function. */
export const fn = <F extends (...args: never[]) => unknown>(): z.ZodType<F> => custom<F>('a function', (v) => typeof v === 'function');
/** A dim or a list of dims (checked against the rank by the op). */
export const dims = custom<number | number[]>('an integer or a list of integers', (v) => Number.isSafeInteger(v) || (Array.isArray(v) && v.every((d) => Number.isSafeInteger(d))));
/**
 * A dtype name. Which names exist is the dtype module's business (`checkDType` words that error); this only
 * refuses what cannot be a dtype at all.
 */
export const dtypeArg = custom<string>('a dtype (torch.float32, ...)', (v) => typeof v === 'string');
/** A device name ('cpu', 'cuda:0', ...); whether it exists is checked where it is used. */
export const deviceArg = custom<string>("a device name ('cpu', 'cuda', ...)", (v) => typeof v === 'string');

/** The typeof test a schema reduces to, or null where only zod can tell. */
function fastTest(s: z.ZodType): Test | null {
  const known = FAST_TESTS.get(s);
  if (known) return known;
  const d = s.def as { type: string; innerType?: z.ZodType; checks?: unknown[]; entries?: Record<string, unknown>; values?: unknown[] };
  const inner = (): Test | null => (d.innerType ? fastTest(d.innerType) : null);
  switch (d.type) {
    case 'optional':
    case 'default': {
      const t = inner();
      return t && ((v) => v === undefined || t(v));
    }
    case 'nullable': {
      const t = inner();
      return t && ((v) => v === null || t(v));
    }
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'number':
      return d.checks?.length ? null : (v) => typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return d.checks?.length ? null : (v) => typeof v === 'string';
    case 'enum': {
      const values = new Set(Object.values(d.entries!));
      return (v) => values.has(v);
    }
    case 'literal': {
      const values = new Set(d.values);
      return (v) => values.has(v);
    }
    default:
      return null;
  }
}

/** A value as an error message shows it: primitives by value, objects by kind. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'bigint') return typeof v === 'bigint' ? `${v}n` : String(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return 'a Tensor';
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Lower case without underscores: how a snake_case spelling is matched to a camelCase option. */
const loose = (k: string): string => k.replace(/_/g, '').toLowerCase();

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours ('bais' -> 'bias': 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known option an unknown key most likely means: the same up to case and underscores, or a near typo. */
function suggestion(key: string, keys: readonly string[]): string | undefined {
  const exact = keys.find((k) => loose(k) === loose(key));
  if (exact) return exact;
  // A long shared beginning (PyTorch's legacy `reduce` for `reduction`), else a near typo.
  const shared = (a: string, b: string): number => {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  const prefix = keys.find((k) => shared(loose(k), loose(key)) >= Math.min(5, loose(k).length, loose(key).length) && Math.min(loose(k).length, loose(key).length) >= 4);
  if (prefix) return prefix;
  const limit = key.length > 4 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of keys) {
    const d = editDistance(loose(k), loose(key));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

const EXPECTED: Record<string, string> = {
  number: 'a finite number',
  int: 'an integer',
  boolean: 'a boolean',
  string: 'a string',
  array: 'an array',
  object: 'an object',
  tuple: 'a tuple (an array)',
};

/**
 * zod's own messages are replaced by this marker (a per-parse error map ranks below messages that schemas set),
 * so a message a schema sets (PyTorch's wording) can be told from zod's generic one.
 */
const DEFAULT_MESSAGE = '\u0000';
const MARK_DEFAULT_MESSAGES = { error: () => DEFAULT_MESSAGE };

function rangeText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
  if (issue.code === 'not_multiple_of') return `must be a multiple of ${String(issue.divisor)}`;
  return 'has an invalid value';
}

export class OptionsSpec<S extends z.ZodRawShape> {
  readonly schema: z.ZodObject<S, z.core.$strict>;
  readonly keys: readonly string[];
  private readonly tests = new Map<string, Test>();
  private readonly required: boolean;

  constructor(
    readonly fn: string,
    shape: S,
  ) {
    this.schema = z.strictObject(shape);
    this.keys = Object.keys(shape);
    for (const [k, s] of Object.entries(shape) as [string, z.ZodType][]) {
      this.tests.set(k, fastTest(s) ?? ((v) => s.safeParse(v).success));
    }
    this.required = Object.values(shape).some((s) => !(s as z.ZodType).safeParse(undefined).success);
  }

  /** Validate and apply defaults (zod's parse); a failure is a graft error naming the function and the option. */
  parse(opts: unknown): z.output<z.ZodObject<S, z.core.$strict>> {
    const r = this.schema.safeParse(this.object(opts ?? {}), MARK_DEFAULT_MESSAGES);
    if (!r.success) throw this.errorOf(r.error.issues, opts ?? {});
    return r.data;
  }

  /** Validate without applying defaults, as cheaply as possible (see the file comment). */
  check(opts: unknown): void {
    if (opts === undefined) return;
    const o = this.object(opts);
    if (this.required) {
      this.parse(o);
      return;
    }
    for (const k in o) {
      const t = this.tests.get(k);
      if (t === undefined || !t((o as Record<string, unknown>)[k])) throw this.error(o);
    }
  }

  /** The error for options that failed a test (zod words it). */
  error(opts: unknown): GraftError {
    const r = this.schema.safeParse(opts, MARK_DEFAULT_MESSAGES);
    if (r.success) return new ArgumentError(`${this.fn}(): invalid options`);
    return this.errorOf(r.error.issues, opts);
  }

  private object(opts: unknown): object {
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || opts instanceof Tensor) {
      throw new ArgumentError(`${this.fn}(): expected an options object (${this.keys.join(', ') || 'none'}), got ${describeValue(opts)}`);
    }
    return opts;
  }

  private errorOf(issues: readonly z.core.$ZodIssue[], input: unknown): GraftError {
    // An unknown key first: a misspelt required option is also reported missing, and the spelling is the cause.
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
    const name = issue.path.map(String).join('.');
    const value = valueAt(input, issue.path);
    const opt = `option '${name}'`;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const key = issue.keys[0]!;
        const match = suggestion(key, this.keys);
        const hint = match
          ? `; did you mean '${match}'?${loose(match) === loose(key) ? " (graft spells PyTorch's keyword arguments in camelCase)" : ''}`
          : `; the options of ${this.fn} are: ${this.keys.join(', ') || 'none'}`;
        return new ArgumentError(`${this.fn}() got an unexpected keyword argument '${key}'${hint}`);
      }
      case 'invalid_type': {
        if (value === undefined && issue.path.length === 1) return new ArgumentError(`${this.fn}() missing required ${opt}`);
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        return new ArgumentError(`${this.fn}(): ${opt} must be ${expected}, not ${describeValue(value)}`);
      }
      case 'invalid_value':
        return new ValueError(`${this.fn}(): ${opt} must be one of ${issue.values.map((v) => describeValue(v)).join(', ')}, not ${describeValue(value)}`);
      case 'custom': {
        const expected = (issue.params as { expected?: string } | undefined)?.expected;
        if (expected) {
          if (value === undefined && issue.path.length === 1) return new ArgumentError(`${this.fn}() missing required ${opt}`);
          return new ArgumentError(`${this.fn}(): ${opt} must be ${expected}, not ${describeValue(value)}`);
        }
        return new ValueError(issue.message === DEFAULT_MESSAGE ? `${this.fn}(): ${opt} has an invalid value ${describeValue(value)}` : issue.message);
      }
      case 'invalid_union': {
        // The first branch's complaint about the value's type is the clearest.
        return new ArgumentError(`${this.fn}(): ${opt} has an invalid value ${describeValue(value)}`);
      }
      default:
        // A schema's own message (PyTorch's wording) is used as is; zod's generic ones are reworded.
        if (issue.message !== DEFAULT_MESSAGE) return new ValueError(issue.message);
        return new ValueError(`${this.fn}(): ${opt} ${rangeText(issue)}, not ${describeValue(value)}`);
    }
  }
}

/** What code that only checks options needs of a spec, whatever its shape. */
export interface OptionsChecker {
  readonly fn: string;
  readonly keys: readonly string[];
  check(opts: unknown): void;
}

const SPECS = new Map<string, OptionsSpec<z.ZodRawShape>>();

/** Declare the options of a function: `defineOptions('StepLR', { stepSize: int, gamma: real.optional() })`. */
export function defineOptions<S extends z.ZodRawShape>(fn: string, shape: S): OptionsSpec<S> {
  const spec = new OptionsSpec(fn, shape);
  SPECS.set(fn, spec as unknown as OptionsSpec<z.ZodRawShape>);
  return spec;
}

/** Check `opts` against `spec` and return it (an empty object when none was given). */
export function checked<O extends object>(spec: OptionsChecker, opts: O | undefined): O {
  spec.check(opts);
  return opts ?? ({} as O);
}

/** @internal Every declared spec by function name (the API fuzzer draws option objects from them). */
export function optionSpecs(): ReadonlyMap<string, OptionsSpec<z.ZodRawShape>> {
  return SPECS;
}
