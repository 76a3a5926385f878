/**
 * Program plans on disk: `$GRAFT_CACHE_DIR/plans/<digest>.plan`, where the digest is over the graph's
 * structural key, the thread count the plan was made for and the compiler's version. A fresh process
 * running a graph an earlier one planned (a training script started again) reads the plan instead of
 * simplifying, scheduling, lowering and rendering; its kernels are then found in the disk cache of compiled
 * objects, so the first step costs a file read, the dlopens and the kernel calls.
 *
 * The compiler's version is a digest of its own code (the files of src/compiler and src/ir, or their built
 * form): a changed compiler never reuses a plan made by another. PLAN_FORMAT is bumped when the meaning of a
 * plan's fields changes for the runtime.
 *
 * A file is one line `GRAFTPLAN<format> <digest> <sha256 of the rest>` and the plan as JSON. It is written
 * under a temporary name and renamed into place; one that is truncated, corrupted or of another format is
 * ignored (and replaced by the next write).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanKernel, ProgramPlan, SlotInfo, SlotRole, Step } from '../plan.js';
import { cacheDir, removeQuietly, sha256Hex, sweepStaleTemps, tempPath } from './disk-cache.js';

export const PLAN_FORMAT = 1;
const MAGIC = `GRAFTPLAN${PLAN_FORMAT}`;

/** Counters for tests and GRAFT_DEBUG. */
export const planCacheStats = { reads: 0, writes: 0, rejected: 0 };

let version: string | undefined;

/**
 * A digest of the compiler's code: the package version and every source file under src/compiler and src/ir
 * (or dist/...) by path, size and modification time (reading their stat is a millisecond; hashing their
 * contents was fifteen, on the path of a warm start).
 */
export function compilerVersion(): string {
  if (version !== undefined) return version;
  const here = dirname(fileURLToPath(import.meta.url)); // <root>/compiler/cache
  const root = dirname(dirname(here));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (['.js', '.ts'].includes(extname(e.name)) && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  for (const stage of ['compiler', 'ir']) walk(join(root, stage));
  files.sort();
  const parts = files.map((f) => {
    const st = statSync(f);
    return `${f.slice(root.length)}\0${st.size}\0${st.mtimeMs}`;
  });
  let pkg = '';
  try {
    pkg = (JSON.parse(readFileSync(join(dirname(root), 'package.json'), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    // not inside the package layout: the files alone name the version
  }
  version = sha256Hex(`${PLAN_FORMAT}\0${pkg}\0${parts.join('\0')}`);
  return version;
}

/** The digest naming the plan of a graph. */
export function planDigest(structuralKey: string, threads: number): string {
  return sha256Hex(`${compilerVersion()}\0${threads}\0${structuralKey}`);
}

const plansDir = (): string => join(cacheDir(), 'plans');

/** The plan stored under `digest`, or null (none, or not a valid one). */
export function readPlan(digest: string): ProgramPlan | null {
  let text: string;
  try {
    text = readFileSync(join(plansDir(), `${digest}.plan`), 'utf8');
  } catch {
    return null;
  }
  const nl = text.indexOf('\n');
  const [magic, d, sum] = text.slice(0, nl < 0 ? 0 : nl).split(' ');
  const body = text.slice(nl + 1);
  let plan: ProgramPlan | null = null;
  if (magic === MAGIC && d === digest && sum === sha256Hex(body)) {
    try {
      plan = decode(JSON.parse(body) as Stored);
    } catch {
      plan = null;
    }
  }
  if (plan === null) {
    planCacheStats.rejected++;
    return null;
  }
  planCacheStats.reads++;
  return plan;
}

/** Stores `plan` under `digest`. A cache that cannot be written is skipped: the plan is only an optimization. */
export function writePlan(digest: string, plan: ProgramPlan): void {
  const dir = plansDir();
  const body = JSON.stringify(encode(plan));
  const tmp = tempPath(dir, digest, '.plan');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    sweepStaleTemps(dir);
    writeFileSync(tmp, `${MAGIC} ${digest} ${sha256Hex(body)}\n${body}`);
    renameSync(tmp, join(dir, `${digest}.plan`));
    planCacheStats.writes++;
    if (planCacheStats.writes % 64 === 1) trim(dir);
  } catch {
    removeQuietly(tmp);
  }
}

/** Plans kept on disk: beyond it, the oldest half is removed (plans of old compiler versions go first). */
const MAX_PLANS = 2000;

function trim(dir: string): void {
  const plans = readdirSync(dir).filter((f) => f.endsWith('.plan'));
  if (plans.length <= MAX_PLANS) return;
  const aged = plans.map((f) => {
    try {
      return { f, t: statSync(join(dir, f)).mtimeMs };
    } catch {
      return { f, t: 0 };
    }
  });
  aged.sort((a, b) => a.t - b.t);
  for (const { f } of aged.slice(0, aged.length - MAX_PLANS / 2)) removeQuietly(join(dir, f));
}

/** Whether a plan file exists (tests). */
export function planStored(digest: string): boolean {
  try {
    return statSync(join(plansDir(), `${digest}.plan`)).isFile();
  } catch {
    return false;
  }
}

/**
 * The stored form of a plan, compact: kernels of one structure share everything but their name and
 * buffers, so a kernel is [function, name, args] and the rest is stored once per distinct description;
 * slots and steps are short arrays. A 200-step LSTM's plan is a few hundred kilobytes instead of two
 * megabytes, and parses in a few milliseconds.
 */
interface Stored {
  readonly functions: ProgramPlan['functions'];
  /** Descriptions of kernels: a PlanKernel without name, fn and args. */
  readonly kinds: readonly Omit<PlanKernel, 'name' | 'fn' | 'args'>[];
  /** [fn, description, name, ...args] */
  readonly kernels: readonly (string | number)[][];
  /** [dtype, numel, role kind, role fields...] */
  readonly slots: readonly (string | number | boolean | number[])[][];
  /** [op, slot or kernel or from, to?] */
  readonly steps: readonly (string | number)[][];
  readonly nInputs: number;
  readonly outputs: readonly number[];
  readonly threads: number;
}

function encode(p: ProgramPlan): Stored {
  const kinds: Omit<PlanKernel, 'name' | 'fn' | 'args'>[] = [];
  const kindIndex = new Map<string, number>();
  const kernels = p.kernels.map((k) => {
    const { name, fn, args, ...rest } = k;
    const text = JSON.stringify(rest);
    let i = kindIndex.get(text);
    if (i === undefined) (i = kinds.push(rest) - 1), kindIndex.set(text, i);
    return [fn, i, name, ...args];
  });
  const slots = p.slots.map((s) => {
    const r = s.role;
    const fields = r.kind === 'view' ? [r.of, r.offset] : r.kind === 'assign' ? [r.target, r.viaTemp, [...r.readLater]] : [];
    return [s.dtype, s.numel, r.kind, ...fields];
  });
  const steps = p.steps.map((st) =>
    st.op === 'run' ? [st.op, st.kernel] : st.op === 'copy' ? [st.op, st.from, st.to] : [st.op, st.slot],
  );
  return { functions: p.functions, kinds, kernels, slots, steps, nInputs: p.nInputs, outputs: p.outputs, threads: p.threads };
}

function decode(s: Stored): ProgramPlan {
  const kernels = s.kernels.map(([fn, kind, name, ...args]): PlanKernel => ({
    ...s.kinds[kind as number]!,
    name: name as string,
    fn: fn as number,
    args: args as number[],
  }));
  const slots = s.slots.map(([dtype, numel, kind, a, b, c]): SlotInfo => {
    const role: SlotRole =
      kind === 'view'
        ? { kind, of: a as number, offset: b as number }
        : kind === 'assign'
          ? { kind, target: a as number, viaTemp: b as boolean, readLater: c as number[] }
          : { kind: kind as 'input' | 'temp' | 'output' | 'scratch' };
    return { dtype: dtype as SlotInfo['dtype'], numel: numel as number, role };
  });
  const steps = s.steps.map(([op, a, b]): Step =>
    op === 'run' ? { op, kernel: a as number } : op === 'copy' ? { op, from: a as number, to: b as number } : { op: op as 'alloc' | 'free', slot: a as number },
  );
  const plan: ProgramPlan = { functions: s.functions, slots, nInputs: s.nInputs, kernels, steps, outputs: s.outputs, threads: s.threads };
  if (!Array.isArray(plan.functions) || !Array.isArray(plan.outputs) || kernels.some((k) => !plan.functions[k.fn])) throw new Error('not a plan');
  return plan;
}
