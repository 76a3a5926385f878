/**
 * torch.Generator: a small seedable pseudo-random generator that runs in JS, for the random choices made on
 * the host (randperm, DataLoader shuffling, dataset splits). Tensor random numbers (rand, randn, dropout) are
 * computed inside kernels by the counter-based generator of ir/random.ts instead.
 *
 * The algorithm is xoshiro128** (Blackman & Vigna), 128 bits of state, seeded through splitmix32 so that
 * nearby seeds give unrelated streams. A seed is any integer (or bigint); its low 64 bits are used.
 */
import { ArgumentError, ValueError } from '../ir/index.js';
import { defineOptions, describeValue, deviceArg } from './options.js';

const GENERATOR_OPTIONS = defineOptions('Generator', { device: deviceArg.optional() });

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** One step of splitmix32: returns [next state, output]. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

function toSeed64(seed: number | bigint, op: string): bigint {
  if (typeof seed !== 'number' && typeof seed !== 'bigint') throw new ArgumentError(`${op}(): seed must be an integer (a number or a bigint), not ${describeValue(seed)}`);
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) throw new ValueError(`${op}: seed must be an integer, got ${seed}`);
    return BigInt.asUintN(64, BigInt(seed));
  }
  return BigInt.asUintN(64, seed);
}

export class Generator {
  private s = new Uint32Array(4);
  private seed0: bigint = 0n;
  /** The device the generator is for; graft's generators run on the host for every device. */
  readonly device: string;

  constructor(opts: { device?: string } = {}) {
    GENERATOR_OPTIONS.check(opts);
    this.device = opts.device ?? 'cpu';
    this.seed();
  }

  /** Seed the generator (torch.Generator.manual_seed); returns the generator. */
  manualSeed(seed: number | bigint): this {
    const s64 = toSeed64(seed, 'manualSeed');
    this.seed0 = s64;
    let st = Number(s64 & 0xffffffffn) ^ Math.imul(Number(s64 >> 32n) | 0, 0x27d4eb2d);
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      this.s[i] = out;
    }
    // xoshiro's state must not be all zero; splitmix32 cannot give four zeros in a row, but be explicit.
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
    return this;
  }

  /** Seed from a non-deterministic source; returns the seed used (torch.Generator.seed). */
  seed(): bigint {
    const hi = BigInt((Math.random() * 0x100000000) >>> 0);
    const lo = BigInt(((Math.random() * 0x100000000) ^ Date.now()) >>> 0);
    const s = (hi << 32n) | lo;
    this.manualSeed(s);
    return s;
  }

  /** The seed last set (torch.Generator.initial_seed). */
  initialSeed(): bigint {
    return this.seed0;
  }

  /** The full state (4 words), to save and restore with setState. */
  getState(): Uint32Array {
    return this.s.slice();
  }

  /** Restore a state from getState. */
  setState(state: ArrayLike<number>): this {
    if (typeof state !== 'object' || state === null || !Array.from(state).every((w) => Number.isSafeInteger(w))) {
      throw new ArgumentError(`setState: expected 4 32-bit words (from getState), got ${describeValue(state)}`);
    }
    if (state.length !== 4) throw new ValueError(`setState: expected a state of 4 32-bit words, got ${state.length}`);
    const words = Array.from(state, (w) => w >>> 0);
    if (words.every((w) => w === 0)) throw new ValueError('setState: the state must not be all zero');
    this.s.set(words);
    return this;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A uniform integer in [0, n), without bias (rejection sampling); n in [1, 2^32]. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new ValueError(`below: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new ValueError(`randperm: n must be a non-negative int32, got ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }
}

/** The global generator used when none is given; torch.manualSeed seeds it. */
export const defaultGenerator = new Generator();
