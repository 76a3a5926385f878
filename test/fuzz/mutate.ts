/**
 * Byte-level mutation of valid seed files, as a fast-check arbitrary: a seed plus a short list of mutations
 * (bit flips, interesting bytes and integers written over the data, truncation, insertion, deletion, splices
 * from other seeds, text tokens for JSON and Python-literal headers). Mutations are plain data, so fast-check
 * shrinks a failing input to the fewest, simplest mutations that still fail.
 */
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'byte'; pos: number; value: number }
  | { kind: 'int'; pos: number; width: 1 | 2 | 4 | 8; little: boolean; value: bigint }
  | { kind: 'truncate'; len: number }
  | { kind: 'insert'; pos: number; bytes: Uint8Array }
  | { kind: 'delete'; pos: number; len: number }
  | { kind: 'splice'; seed: number; from: number; len: number; pos: number }
  | { kind: 'text'; pos: number; text: string; replace: number };

/** Integers that break length checks: zero, one, signs, powers of two and their neighbours, huge. */
const INTERESTING = [0n, 1n, 2n, 7n, 8n, 64n, 127n, 128n, 255n, 256n, 0x7fffn, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n];
/** Tokens for text headers (safetensors JSON, .npy dicts). */
const TOKENS = [
  '0', '-1', '1e400', '99999999999999999999', '4294967296', 'NaN', 'null', 'true', '[]', '{}', '[', '{', '"', "'", ',', ':', '(', ')',
  '"F32"', '"I64"', '"BOOL"', '"shape"', '"data_offsets"', '"dtype"', '"__metadata__"', "'<f4'", "'>i8'", "'|b1'", "'descr'",
  "'shape'", "'fortran_order'", 'True', 'False', 'None', '(1,)', '()', '[(', '\\u0000', '\u00ff', '\ud83d\ude00', '$graft.tensor', '"graft.state"',
];

const mutation = (seedCount: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('byte' as const), pos: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x20, 0x0a), fc.integer({ min: 0, max: 255 })) }),
    fc.record({
      kind: fc.constant('int' as const),
      pos: fc.nat(),
      width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      little: fc.boolean(),
      value: fc.oneof(fc.constantFrom(...INTERESTING), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    }),
    fc.record({ kind: fc.constant('truncate' as const), len: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('splice' as const), seed: fc.integer({ min: 0, max: Math.max(0, seedCount - 1) }), from: fc.nat(), len: fc.integer({ min: 1, max: 256 }), pos: fc.nat() }),
    fc.record({ kind: fc.constant('text' as const), pos: fc.nat(), text: fc.constantFrom(...TOKENS), replace: fc.integer({ min: 0, max: 8 }) }),
  );

const utf8 = new TextEncoder();

function put(out: Uint8Array, pos: number, width: number, little: boolean, value: bigint): void {
  for (let i = 0; i < width && pos + i < out.length; i++) {
    const b = Number((value >> BigInt(8 * i)) & 0xffn);
    out[little ? pos + i : pos + width - 1 - i] = b;
  }
}

/** Apply mutations in order; positions wrap around the current length, so any mutation applies to any input. */
export function applyMutations(seed: Uint8Array, mutations: readonly Mutation[], seeds: readonly Uint8Array[]): Uint8Array {
  let b = Uint8Array.from(seed);
  const at = (pos: number, extra = 0): number => (b.length + extra === 0 ? 0 : pos % (b.length + extra));
  for (const m of mutations) {
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at(m.pos)]! ^= 1 << m.bit;
        break;
      case 'byte':
        if (b.length) b[at(m.pos)] = m.value;
        break;
      case 'int':
        if (b.length) put(b, at(m.pos), m.width, m.little, m.value);
        break;
      case 'truncate':
        b = b.slice(0, at(m.len, 1));
        break;
      case 'insert': {
        const p = at(m.pos, 1);
        b = Uint8Array.from([...b.subarray(0, p), ...m.bytes, ...b.subarray(p)]);
        break;
      }
      case 'delete': {
        const p = at(m.pos);
        b = Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + m.len)]);
        break;
      }
      case 'splice': {
        const src = seeds[m.seed % seeds.length]!;
        const from = src.length ? m.from % src.length : 0;
        const chunk = src.subarray(from, from + m.len);
        const p = at(m.pos, 1);
        b = Uint8Array.from([...b.subarray(0, p), ...chunk, ...b.subarray(p + chunk.length)]);
        break;
      }
      case 'text': {
        const p = at(m.pos, 1);
        b = Uint8Array.from([...b.subarray(0, p), ...utf8.encode(m.text), ...b.subarray(p + m.replace)]);
        break;
      }
    }
  }
  return b;
}

/** Seeds, some unchanged and most mutated one to eight times. */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedBytes: no seeds');
  return fc
    .tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation(seeds.length), { minLength: 0, maxLength: 8 }))
    .map(([i, muts]) => applyMutations(seeds[i]!, muts, seeds));
}
