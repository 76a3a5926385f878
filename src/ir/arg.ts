/**
 * Node arguments (axes, permutations, slice starts, pads, scalars) compared, hashed and numbered by walking
 * them: no text. Hash-consing compares the argument of every candidate node and the structural key numbers
 * every new node's argument; as JSON text these were the largest cost of building a graph (a layer read
 * at every step of an unrolled LSTM has hundreds of readers: 15% of the step in JSON.stringify).
 *
 * Semantics are those of the argument's text (`argKey`): numbers by value with NaN equal to NaN and -0 not
 * equal to 0, bigints by value, buffer references by identity, plain objects and arrays field by field.
 */

// Scratch for hashing doubles by their bits.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The FNV-1a offset basis: where every hash of graft's keys starts. */
export const HASH_START = 0x811c9dc5 | 0;

/** One FNV-1a step over a 32-bit integer. */
export const mix = (h: number, x: number): number => Math.imul(h ^ x, 0x01000193);

/** One step over any number: integers as they are, other numbers by the bits of their double. */
export function mixNumber(h: number, x: number): number {
  if ((x | 0) === x) return mix(h, x);
  f64[0] = x;
  return mix(mix(h, u32[0]!), u32[1]!);
}

function sameNumber(a: number, b: number): boolean {
  return a === b ? a !== 0 || Object.is(a, b) : a !== a && b !== b;
}

/** Whether two arguments are equal. */
export function argEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return typeof b === 'number' && sameNumber(a, b);
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return false; // equal bigints are ===
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!argEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // A buffer reference is itself: two refs are equal only when they are one object (checked above).
  if ('ref' in a || 'ref' in b) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !argEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** A 32-bit hash of an argument, consistent with `argEquals`. */
export function argHash(a: unknown, h = HASH_START): number {
  switch (typeof a) {
    case 'number':
      // -0 hashes by its bits (it is not equal to 0); every NaN alike (NaN equals NaN here).
      if (Object.is(a, -0)) return mix(mix(h, 0), 0x80000000);
      return a !== a ? mix(h, 0x7ff8) : mixNumber(h, a);
    case 'bigint':
      return mix(h, Number(BigInt.asIntN(32, a)));
    case 'string':
      return mix(h, a.length);
    case 'object': {
      if (a === null) return mix(h, 1);
      if (Array.isArray(a)) {
        h = mix(h, 2 + a.length);
        for (let i = 0; i < a.length; i++) h = argHash(a[i], h);
        return h;
      }
      if ('ref' in a) return mix(h, 3 + (a as { ref: { id: number } }).ref.id);
      for (const k in a) h = argHash((a as Record<string, unknown>)[k], mix(h, k.length));
      return h;
    }
    default:
      return mix(h, 4);
  }
}

/** Arguments numbered once per process (structural keys): buckets by hash, compared by `argEquals`. */
const interned = new Map<number, { arg: unknown; id: number }[]>();
let internedCount = 0;

/** A number standing for the argument's value: equal arguments get the same number. */
export function internArg(arg: unknown): number {
  const h = argHash(arg);
  let bucket = interned.get(h);
  if (bucket === undefined) interned.set(h, (bucket = []));
  for (const e of bucket) if (argEquals(e.arg, arg)) return e.id;
  const id = ++internedCount;
  bucket.push({ arg, id });
  return id;
}
