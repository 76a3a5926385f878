/**
 * Replaying a PyTorch case with graft and listing how graft's answer differs. Cases are built lazily and
 * realized together (one program per batch: compiling a program per case would dominate the run); a batch
 * that fails is realized case by case to find the culprit.
 */
import * as torch from '../../src/index.js';
import { camel, decodeNumber, nest, type CaseRecord, type Stored, type TensorRecord } from './fixture.js';
import { opOf, type Kw } from './ops.js';

type Tensor = torch.Tensor;

/** What differs, by aspect (documented differences name aspects). */
export type Aspect =
  | 'build'
  | 'realize'
  | 'error'
  | 'errorClass'
  | 'errorMessage'
  | 'unchanged'
  | 'multi'
  | 'shape'
  | 'dtype'
  | 'values'
  | 'gradFn'
  | 'requiresGrad'
  | 'grads'
  | 'grads2'
  | 'after'
  | 'text';

export interface Mismatch {
  aspect: Aspect;
  detail: string;
}

const DEFAULT_TOL: Record<string, [number, number]> = { float32: [1e-5, 1e-6], float64: [1e-10, 1e-12] };

// ---------------------------------------------------------------------------------------------------------
// Decoding

export function makeInput(r: TensorRecord, device: string): Tensor {
  const opts = { dtype: r.dtype, device, requiresGrad: r.grad ?? false };
  // Nested arrays cannot say [0, 3]: an empty input is made from its shape.
  if (r.values.length === 0) return torch.empty(r.shape, opts);
  const values = r.values.map((v) => (r.dtype === 'bool' ? v !== 0 : decodeNumber(v)));
  return torch.tensor(nest(values, r.shape) as number[], opts);
}

function sliceText([start, stop, step]: (number | null)[]): string {
  const s = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));
  return `${s(start)}:${s(stop)}${step === null || step === undefined ? '' : `:${step}`}`;
}

/** A fixture argument in graft's terms: tensors, slice strings, '...', dtype names, non-finite numbers. */
export function decodeArg(a: unknown, inputs: readonly Tensor[]): unknown {
  if (Array.isArray(a)) return a.map((x) => decodeArg(x, inputs));
  if (a === null || typeof a !== 'object') return a;
  const o = a as Record<string, unknown>;
  if ('$t' in o) return inputs[o.$t as number];
  if ('$slice' in o) return sliceText(o.$slice as (number | null)[]);
  if ('$ellipsis' in o) return '...';
  if ('$dtype' in o) return o.$dtype;
  if ('$f' in o) return decodeNumber(o.$f as Stored);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[camel(k)] = decodeArg(v, inputs);
  return out;
}

/** The op's result as a list of tensors, and whether it returned several. */
function outputsOf(r: unknown): { outs: Tensor[]; multi: boolean } {
  if (r instanceof torch.Tensor) return { outs: [r], multi: false };
  if (Array.isArray(r) && r.every((t) => t instanceof torch.Tensor)) return { outs: r as Tensor[], multi: true };
  if (r instanceof torch.ValuesIndices) return { outs: [r.values, r.indices], multi: true };
  throw new Error(`unexpected result ${String(r)}`);
}

const weight = (w: Stored[], like: Tensor): Tensor =>
  w.length === 0
    ? torch.zeros(like.shape, { dtype: like.dtype, device: like.device })
    : torch.tensor(nest(w.map(decodeNumber), like.shape) as number[], { dtype: like.dtype, device: like.device });

// ---------------------------------------------------------------------------------------------------------
// Building (lazy)

export interface Built {
  rec: CaseRecord;
  inputs: Tensor[];
  outs: Tensor[];
  multi: boolean;
  grads: (Tensor | null)[] | null;
  grads2: (Tensor | null)[] | null;
  /** Problems found while building (autograd structure); values are compared after realization. */
  mismatches: Mismatch[];
  /** Detached copies of everything to read (outputs, gradients, mutated inputs), realized together. */
  probes: Map<Tensor, Tensor>;
}

export function callOp(rec: CaseRecord, inputs: Tensor[]): unknown {
  const args = decodeArg(rec.args, inputs) as unknown[];
  const kw = (rec.kw ? decodeArg(rec.kw, inputs) : {}) as Kw;
  return opOf(rec.op)(args, kw);
}

/** Build a (non-error) case: outputs, gradients, second-order gradients. Throws what graft throws. */
export function buildCase(rec: CaseRecord, device: string): Built {
  const inputs = rec.inputs.map((r) => makeInput(r, device));
  const { outs, multi } = outputsOf(callOp(rec, inputs));
  const mismatches: Mismatch[] = [];
  let grads: (Tensor | null)[] | null = null;
  let grads2: (Tensor | null)[] | null = null;
  if (rec.w) {
    const gradInputs = inputs.filter((_, i) => rec.inputs[i]!.grad);
    let loss: Tensor | null = null;
    rec.w.forEach((w, k) => {
      const o = outs[k];
      if (w === null || o === undefined) return;
      if (!o.requiresGrad) {
        mismatches.push({ aspect: 'requiresGrad', detail: `output ${k} does not require grad (PyTorch's does)` });
        return;
      }
      const term = o.mul(weight(w, o)).sum();
      loss = loss === null ? term : loss.add(term);
    });
    if (loss !== null) {
      grads = torch.autograd.grad(loss, gradInputs, { allowUnused: true, createGraph: rec.grads2 !== undefined });
      if (rec.v && rec.grads2) {
        let loss2: Tensor | null = null;
        rec.v.forEach((v, i) => {
          const g = grads![i];
          if (v === null || !g) return;
          if (!g.requiresGrad) {
            mismatches.push({ aspect: 'grads2', detail: `gradient ${i} has no graph (createGraph); PyTorch's has one` });
            return;
          }
          const term = g.mul(weight(v, g)).sum();
          loss2 = loss2 === null ? term : loss2.add(term);
        });
        if (loss2 !== null) grads2 = torch.autograd.grad(loss2, gradInputs, { allowUnused: true });
      }
    }
  }
  const probes = new Map<Tensor, Tensor>();
  for (const t of [...outs, ...(grads ?? []), ...(grads2 ?? []), ...(rec.after ? inputs : [])]) {
    if (t !== null && !probes.has(t)) probes.set(t, torch.noGrad(() => t.detach().clone()));
  }
  return { rec, inputs, outs, multi, grads, grads2, mismatches, probes };
}

// ---------------------------------------------------------------------------------------------------------
// Comparing

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Compare one tensor with its record: shape, dtype, values. */
export function compareTensor(what: string, t: Tensor, r: TensorRecord, aspect: Aspect, tol?: [number, number], read: (t: Tensor) => Tensor = (x) => x): Mismatch[] {
  const out: Mismatch[] = [];
  const shapeAspect = aspect === 'values' ? 'shape' : aspect;
  const dtypeAspect = aspect === 'values' ? 'dtype' : aspect;
  if (t.shape.length !== r.shape.length || t.shape.some((d, i) => d !== r.shape[i])) {
    out.push({ aspect: shapeAspect, detail: `${what}: shape [${t.shape}], PyTorch [${r.shape}]` });
    return out;
  }
  if (t.dtype !== r.dtype) out.push({ aspect: dtypeAspect, detail: `${what}: dtype ${t.dtype}, PyTorch ${r.dtype}` });
  if (r.values === undefined) return out;
  // int64 elements are bigints; fixture values are JSON numbers (exact below 2^53).
  const got = Array.from(read(t).dataSync() as ArrayLike<number | bigint>, Number);
  const [rtol, atol] = tol ?? DEFAULT_TOL[r.dtype] ?? [0, 0];
  const bad: string[] = [];
  r.values.forEach((sv, i) => {
    const want = decodeNumber(sv);
    if (!close(got[i]!, want, rtol, atol)) bad.push(`[${i}] ${got[i]} vs ${want}`);
  });
  if (bad.length) out.push({ aspect, detail: `${what}: ${bad.length}/${r.values.length} differ (graft vs PyTorch): ${bad.slice(0, 6).join(', ')}` });
  return out;
}

/** Compare a realized case with its record. */
export function compareBuilt(b: Built): Mismatch[] {
  const { rec } = b;
  const out = [...b.mismatches];
  const read = (t: Tensor): Tensor => b.probes.get(t) ?? t;
  if (Boolean(rec.multi) !== b.multi) out.push({ aspect: 'multi', detail: `graft returned ${b.multi ? 'several tensors' : 'one tensor'}` });
  const expected = rec.out ?? [];
  if (b.outs.length !== expected.length) out.push({ aspect: 'multi', detail: `graft returned ${b.outs.length} outputs, PyTorch ${expected.length}` });
  expected.forEach((r, k) => {
    const t = b.outs[k];
    if (t) out.push(...compareTensor(`output ${k}`, t, r, 'values', rec.tol, read));
    const want = rec.gradFn?.[k] ?? null;
    const got = t?.gradFn?.name ?? null;
    if (t && got !== want) out.push({ aspect: 'gradFn', detail: `output ${k}: gradFn ${got}, PyTorch ${want}` });
  });
  const gtol = rec.gtol ?? rec.tol;
  const compareGrads = (aspect: 'grads' | 'grads2', got: (Tensor | null)[] | null, want: (TensorRecord | null)[] | undefined): void => {
    if (!want || got === null) return;
    want.forEach((r, i) => {
      const g = got[i] ?? null;
      if (r === null && g === null) return;
      if (r === null) out.push({ aspect, detail: `input ${i}: graft has a gradient, PyTorch none (unused)` });
      else if (g === null) out.push({ aspect, detail: `input ${i}: graft has no gradient, PyTorch has one` });
      else out.push(...compareTensor(`${aspect === 'grads' ? 'grad' : 'second-order grad'} of input ${i}`, g, r, aspect, gtol, read));
    });
  };
  compareGrads('grads', b.grads, rec.grads);
  compareGrads('grads2', b.grads2, rec.grads2);
  if (rec.text !== undefined) {
    const text = String(b.outs[0]);
    if (text !== rec.text) out.push({ aspect: 'text', detail: `graft prints\n${text}\nPyTorch prints\n${rec.text}` });
  }
  rec.after?.forEach((r, i) => out.push(...compareTensor(`input ${i} after the op`, b.inputs[i]!, r, 'after', rec.tol, read)));
  return out;
}

/** An error case: graft must throw the mapped class with PyTorch's words, and leave the inputs unchanged. */
export function runErrorCase(rec: CaseRecord, device: string): Mismatch[] {
  const e = rec.error!;
  const inputs = rec.inputs.map((r) => makeInput(r, device));
  let thrown: unknown = null;
  try {
    const res = callOp(rec, inputs);
    const outs = res instanceof torch.Tensor ? [res] : Array.isArray(res) ? (res as Tensor[]) : [];
    for (const t of outs) t.dataSync();
  } catch (err) {
    thrown = err;
  }
  const out: Mismatch[] = [];
  if (thrown === null) {
    out.push({ aspect: 'error', detail: `graft did not throw; PyTorch: ${e.torch}: ${e.message}` });
    return out;
  }
  const cls = (torch as unknown as Record<string, unknown>)[e.graft] as (new (...a: never[]) => Error) | undefined;
  if (!cls) throw new Error(`fixture names an unknown graft error class ${e.graft}`);
  const err = thrown as Error;
  if (!(err instanceof cls)) out.push({ aspect: 'errorClass', detail: `graft threw ${describeError(thrown)}; expected ${e.graft}` });
  else if (!String(err.message).includes(e.match)) {
    out.push({ aspect: 'errorMessage', detail: `graft's message "${err.message}" lacks PyTorch's "${e.match}"` });
  }
  rec.inputs.forEach((r, i) => {
    for (const m of compareTensor(`input ${i} after the failed op`, inputs[i]!, r, 'unchanged')) out.push(m);
  });
  return out;
}

/**
 * Run cases: build each (lazily), realize all probes together, compare. Returns the mismatches per case id.
 * A case whose build throws, or whose realization fails alone, reports that as its mismatch.
 */
export function runCases(cases: readonly CaseRecord[], device: string): Map<string, Mismatch[]> {
  const results = new Map<string, Mismatch[]>();
  const built: Built[] = [];
  for (const rec of cases) {
    if (rec.error) {
      results.set(rec.id, guarded(() => runErrorCase(rec, device)));
      continue;
    }
    try {
      built.push(buildCase(rec, device));
    } catch (err) {
      results.set(rec.id, [{ aspect: 'build', detail: `graft threw ${describeError(err)}` }]);
    }
  }
  try {
    torch.realizeTensors(built.flatMap((b) => [...b.probes.values()]));
  } catch (err) {
    if (process.env.CONFORMANCE_DEBUG) console.error(`batch realization failed: ${describeError(err)}`);
    // Find the case(s) that fail; the others realize on their own.
    for (const b of built) {
      try {
        torch.realizeTensors([...b.probes.values()]);
      } catch (err) {
        results.set(b.rec.id, [{ aspect: 'realize', detail: `graft threw ${describeError(err)}` }]);
      }
    }
  }
  for (const b of built) {
    if (results.has(b.rec.id)) continue;
    results.set(b.rec.id, guarded(() => compareBuilt(b)));
  }
  return results;
}

function guarded(fn: () => Mismatch[]): Mismatch[] {
  try {
    return fn();
  } catch (err) {
    return [{ aspect: 'build', detail: `graft threw ${describeError(err)}` }];
  }
}

const describeError = (err: unknown): string =>
  err instanceof Error ? `${err.constructor.name}: ${err.message.split('\n')[0]}` : String(err);
