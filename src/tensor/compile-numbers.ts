/**
 * JS number arguments of a compiled step as values of its program, not constants of it.
 *
 * A number passed to a compiled function (`step(x, y, lr)`) reaches the graph as a constant node, and float
 * constants are lifted out of the code into the program's small buffer of values (src/compiler/lift-constants.ts):
 * a capture with another value builds the same program. What a capture cannot see is how the number got
 * there: `x.mul(lr)` puts lr itself in the graph, `x.mul(1 - lr)` a value computed in JS, `if (lr > 0.5)` a
 * branch. So a number argument starts as a value guard, and the second capture decides: when it differs from
 * a kept variant only in number arguments, and every lifted constant that changed is exactly one changed
 * argument rounded to the constant's dtype (before and after), with the program, slots, outputs and
 * everything else the same, the two merge into one variant that takes those arguments as values — later
 * calls with other numbers replay with no capture. A number used in JS arithmetic leaves a constant that
 * matches neither value and stays guarded (a capture per value, each reusing the compiled program).
 *
 * Kept guarded also: integers against fractions (promotion differs), and at each call a value the program has
 * in its structure (0, ±1, ±2, ±0.5, non-finite: simplify's identities) captures again. Not visible to any
 * capture: a JS branch on the number whose two sides build the same graph for both captured values but not
 * for a third; `{ check: true }` finds that.
 */
import { castScalar } from '../ir/index.js';
import { Tensor } from './tensor.js';
import type { LeafGuard, NumberSlot, Ref, Source, Target, Template, TensorGuard, Variant } from './compile.js';

const isTensorGuard = (g: LeafGuard): g is TensorGuard => 'shape' in g;

function sameTensorGuard(a: TensorGuard, b: TensorGuard): boolean {
  return a.dtype === b.dtype && a.device === b.device && a.requiresGrad === b.requiresGrad && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameSource(a: Source, b: Source): boolean {
  switch (a.kind) {
    case 'arg':
      return b.kind === 'arg' && a.index === b.index;
    case 'state':
      return b.kind === 'state' && a.tensor === b.tensor && a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    case 'seed':
      return b.kind === 'seed' && a.draw === b.draw;
    case 'const':
      return b.kind === 'const' && (a.buffer === b.buffer || (a.buffer.dtype === b.buffer.dtype && a.buffer.host !== null && b.buffer.host !== null && sameBytes(a.buffer.host, b.buffer.host)));
  }
}

const sameRef = (a: Ref, b: Ref): boolean => ('out' in a ? 'out' in b && a.out === b.out : 'src' in b && sameSource(a.src, b.src));
const sameTarget = (a: Target, b: Target): boolean => ('arg' in a ? 'arg' in b && a.arg === b.arg : 'tensor' in b && a.tensor === b.tensor);

function sameTemplate(a: Template, b: Template): boolean {
  if ('t' in a) return 't' in b && sameRef(a.t, b.t);
  if ('array' in a) return 'array' in b && a.array.length === b.array.length && a.array.every((e, i) => sameTemplate(e, b.array[i]!));
  if ('object' in a) return 'object' in b && a.object.length === b.object.length && a.object.every(([k, e], i) => k === b.object[i]![0] && sameTemplate(e, b.object[i]![1]));
  return 'value' in b && Object.is(a.value, b.value) && !(a.value instanceof Tensor);
}

function samePairs<T, U>(a: readonly (readonly [T, U])[], b: readonly (readonly [T, U])[], same: (x: T, y: T) => boolean, sameU: (x: U, y: U) => boolean): boolean {
  return a.length === b.length && a.every(([t, u], i) => same(t, b[i]![0]) && sameU(u, b[i]![1]));
}

/** Everything but the guards and the lifted constants' values: the same step. */
function sameStep(a: Variant, b: Variant): boolean {
  return (
    a.program === b.program &&
    a.structure === b.structure &&
    a.thisArg === b.thisArg &&
    a.gradMode === b.gradMode &&
    a.device === b.device &&
    a.seedDraws === b.seedDraws &&
    a.consts !== null &&
    b.consts !== null &&
    a.consts.length === b.consts.length &&
    a.constDtypes.every((d, i) => d === b.constDtypes[i]) &&
    a.sources.length === b.sources.length &&
    a.sources.every((s, i) => sameSource(s, b.sources[i]!)) &&
    samePairs(a.training, b.training, Object.is, Object.is) &&
    samePairs(a.states, b.states, Object.is, (x, y) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]))) &&
    samePairs(a.values, b.values, sameTarget, sameRef) &&
    samePairs(a.grads, b.grads, sameTarget, (x, y) => (x === null ? y === null : y !== null && sameRef(x, y))) &&
    sameTemplate(a.result, b.result)
  );
}

/**
 * A kept variant that `neu` (just captured) generalizes, merged with it; null when none. The merged variant
 * takes as values the number arguments of the kept one's slots and those that differ now.
 */
export function generalizeNumbers(kept: readonly Variant[], neu: Variant): { variant: Variant; replaces: Variant } | null {
  for (const old of kept) {
    const slots = numberSlotsOf(old, neu);
    if (slots !== null) return { variant: neu.withNumberSlots(slots), replaces: old };
  }
  return null;
}

function numberSlotsOf(old: Variant, neu: Variant): NumberSlot[] | null {
  if (old.guards.length !== neu.guards.length || !sameStep(old, neu)) return null;
  const slotOf = new Map<number, number>();
  for (const s of old.numberSlots) for (const p of s.positions) slotOf.set(p, s.leaf);
  const changed: number[] = [];
  for (let i = 0; i < old.guards.length; i++) {
    const g = old.guards[i]!;
    const h = neu.guards[i]!;
    if (isTensorGuard(g)) {
      if (!isTensorGuard(h) || !sameTensorGuard(g, h)) return null;
    } else if ('value' in g) {
      if (!('value' in h)) return null;
      if (Object.is(g.value, h.value)) continue;
      if (typeof g.value !== 'number' || typeof h.value !== 'number' || Number.isInteger(g.value) !== Number.isInteger(h.value)) return null;
      changed.push(i);
    } else if (!('value' in h) || typeof h.value !== 'number' || Number.isInteger(h.value) !== g.number.integral) return null;
  }
  if (changed.length === 0) return null;
  const valueAt = (v: Variant, leaf: number): number => (v.guards[leaf] as { value: number }).value;
  const positions = new Map<number, number[]>();
  const a = old.consts!;
  const b = neu.consts!;
  for (let p = 0; p < a.length; p++) {
    const dtype = neu.constDtypes[p]!;
    const slot = slotOf.get(p);
    let leaf: number | undefined;
    if (slot !== undefined) {
      // Already a value: the new capture must agree.
      if (!Object.is(b[p], castScalar(valueAt(neu, slot), dtype))) return null;
      leaf = slot;
    } else if (!Object.is(a[p], b[p])) {
      const explained = changed.filter((i) => Object.is(a[p], castScalar(valueAt(old, i), dtype)) && Object.is(b[p], castScalar(valueAt(neu, i), dtype)));
      if (explained.length !== 1) return null;
      leaf = explained[0]!;
    }
    if (leaf === undefined) continue;
    const list = positions.get(leaf) ?? [];
    list.push(p);
    positions.set(leaf, list);
  }
  // Every changed number must be seen in the program: one that changed nothing may act in ways no capture sees.
  if (!changed.every((i) => positions.has(i))) return null;
  return [...positions].map(([leaf, ps]) => ({ leaf, positions: ps }));
}
