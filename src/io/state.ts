/**
 * State dicts to and from the flat name -> tensor form that safetensors stores.
 *
 * - A flat state dict (a plain object or Map whose values are all tensors: a module's stateDict()) is stored
 *   as is, and the file is exactly what Python's `safetensors.torch.save_file` writes for it.
 * - Anything else (an optimizer's state dict, a checkpoint {model, optim, epoch}, a single tensor) is a tree of
 *   plain objects, Maps, arrays, tensors, numbers, strings, booleans and null. Its tensors are stored under
 *   their dotted paths ("optim.state.0.momentum_buffer"); the tree itself, with each tensor replaced by
 *   {"$graft.tensor": name}, is stored as JSON in the metadata under "graft.state", so torch.load gives the
 *   same tree back (Maps come back as plain objects). Other tools see the tensors under their dotted names.
 *   Numbers JSON cannot hold (NaN, ±Infinity, -0: an optimizer's hyperparameters, an epoch's metrics) are stored
 *   as {"$graft.number": "NaN"}. A tree refers to nothing twice on one path: a cycle is a ValueError.
 */
import { FormatError, ValueError } from '../ir/index.js';
import { Tensor } from '../tensor/index.js';

/** The metadata key holding the tree of a nested save. */
export const STATE_KEY = 'graft.state';
const MARK = '$graft.tensor';
const NUMBER_MARK = '$graft.number';
/** Deeper trees are refused (the walks are recursive; real checkpoints are a few levels deep). */
const MAX_DEPTH = 1000;
const SPECIAL_NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };
/** The name a single saved tensor is stored under. */
const SINGLE = 'tensor';

/** What torch.save accepts. */
export type Saveable =
  | Tensor
  | number
  | string
  | boolean
  | null
  | readonly Saveable[]
  | ReadonlyMap<string | number, Saveable>
  | { readonly [key: string]: Saveable | undefined };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isPlainObject = (x: object): boolean => {
  const p = Object.getPrototypeOf(x) as unknown;
  return p === Object.prototype || p === null;
};

function entriesOf(x: object): [string, unknown][] | null {
  if (x instanceof Map) return [...(x as Map<unknown, unknown>)].map(([k, v]) => [String(k), v]);
  if (isPlainObject(x)) return Object.entries(x).filter(([, v]) => v !== undefined);
  return null;
}

/** Split a saveable value into named tensors and, unless it is a flat state dict, the JSON tree. */
export function flattenState(obj: unknown, op: string): { tensors: [string, Tensor][]; tree: string | null } {
  if (typeof obj === 'object' && obj !== null && !(obj instanceof Tensor) && !Array.isArray(obj)) {
    const entries = entriesOf(obj);
    if (entries && entries.every(([, v]) => v instanceof Tensor)) return { tensors: entries as [string, Tensor][], tree: null };
  }
  const tensors: [string, Tensor][] = [];
  const names = new Set<string>();
  const ancestors = new Set<object>();
  const walk = (v: unknown, path: string[]): Json => {
    const where = path.length ? `"${path.join('.')}"` : 'the top level';
    if (path.length > MAX_DEPTH) throw new ValueError(`${op}: the object is nested more than ${MAX_DEPTH} levels deep (at ${where.slice(0, 200)}…)`);
    if (v instanceof Tensor) {
      const name = path.length ? path.join('.') : SINGLE;
      if (names.has(name)) throw new ValueError(`${op}: two tensors would be stored under the same name "${name}"`);
      names.add(name);
      tensors.push([name, v]);
      return { [MARK]: name };
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { [NUMBER_MARK]: Object.is(v, -0) ? '-0' : String(v) };
    if (typeof v === 'object' && v !== null && ancestors.has(v)) {
      throw new ValueError(`${op}: the object refers to itself at ${where} (a cycle); a state dict must be a tree`);
    }
    if (Array.isArray(v)) return within(v, () => v.map((e, i) => walk(e, [...path, String(i)])));
    if (typeof v === 'object') {
      const entries = entriesOf(v);
      if (entries) {
        const reserved = entries.find(([k]) => k === MARK || k === NUMBER_MARK);
        if (reserved) throw new ValueError(`${op}: the key "${reserved[0]}" is reserved (at ${where})`);
        return within(v, () => Object.fromEntries(entries.map(([k, e]) => [k, walk(e, [...path, k])])));
      }
    }
    const what = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    throw new ValueError(
      `${op}: cannot save a ${what} at ${where}; a state dict holds tensors, numbers, strings, booleans, null, arrays, Maps and plain objects`,
    );
  };
  const within = <R>(o: object, f: () => R): R => {
    ancestors.add(o);
    try {
      return f();
    } finally {
      ancestors.delete(o);
    }
  };
  const tree = walk(obj, []);
  return { tensors, tree: JSON.stringify(tree) };
}

/** Rebuild the tree saved by flattenState from its JSON and the loaded tensors. */
export function unflattenState(treeJson: string, tensors: ReadonlyMap<string, Tensor>, where: string): unknown {
  let tree: unknown;
  try {
    tree = JSON.parse(treeJson);
  } catch (e) {
    throw new FormatError(`${where}: the "${STATE_KEY}" metadata is not valid JSON (${(e as Error).message})`);
  }
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new FormatError(`${where}: the "${STATE_KEY}" metadata is nested more than ${MAX_DEPTH} levels deep`);
    if (Array.isArray(v)) return v.map((e) => walk(e, depth + 1));
    if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === NUMBER_MARK) {
        const name = (v as Record<string, unknown>)[NUMBER_MARK];
        if (typeof name !== 'string' || !Object.hasOwn(SPECIAL_NUMBERS, name)) {
          throw new FormatError(`${where}: the "${STATE_KEY}" metadata holds an unknown number ${JSON.stringify(name)}`);
        }
        return SPECIAL_NUMBERS[name];
      }
      if (keys.length === 1 && keys[0] === MARK) {
        const name = (v as Record<string, unknown>)[MARK];
        const t = typeof name === 'string' ? tensors.get(name) : undefined;
        if (!t) throw new FormatError(`${where}: the "${STATE_KEY}" metadata refers to a tensor ${JSON.stringify(name)} that the file does not hold`);
        return t;
      }
      // fromEntries defines own properties, so a "__proto__" key stays a plain key.
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e, depth + 1)]));
    }
    return v;
  };
  return walk(tree, 0);
}
