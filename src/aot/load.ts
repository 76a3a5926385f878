/**
 * torch.aot.load(dir): an artifact written by `torch.aot.save`, checked completely before anything runs,
 * and its steps as functions that run with no C compiler.
 *
 * Checks, in order, each a typed error naming the file and what is wrong: the manifest reads and parses
 * (FileError, FormatError), its checksum matches (any corruption), it is this format and version, its
 * fields are what the schema says and refer to one another consistently (slots, kernels, steps in range,
 * every kernel's byte needs within its buffers); the source, shared object and state files match their
 * hashes; the state holds every tensor the manifest names, with its shape and dtype; the shared object was
 * built for CPU features this machine has (else it is rebuilt from the source when a compiler is there, or
 * refused: DeviceError); it opens and defines every function. Nothing is half-loaded: the returned object
 * exists only when all of it passed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, castScalar, isLiftedConstantValue, DTYPE_INFO, DTypeError, DeviceError, FileError, FormatError, GraftError, ShapeError, type Shape } from '../ir/index.js';
import { sha256Hex } from '../compiler/cache/disk-cache.js';
import { compileShared, compilerIdentity } from '../compiler/cc.js';
import type { ProgramPlan } from '../compiler/plan.js';
import { Buffer, openLibrary, Program } from '../runtime/index.js';
import { Tensor } from '../tensor/index.js';
import { flattenArgs, Variant, type Ref, type Source, type Target, type Template } from '../tensor/compile.js';
import { loadFile } from '../io/save.js';
import { debugLevel, logLine } from '../runtime/debug.js';
import { missingFeatures } from './cpu.js';
import { AOT_FORMAT, AOT_VERSION, MANIFEST, manifestChecksum, type Manifest, type RefJSON, type SourceJSON, type StepJSON } from './manifest.js';

/** A loaded artifact: its steps, the state they read and write, and the manifest. */
export interface AotArtifact {
  /** The saved steps by name, each taking the arguments it was compiled for. */
  readonly steps: Record<string, (...args: unknown[]) => unknown>;
  /** The state by name (parameters, optimizer state, learning rates): the steps update these tensors. */
  readonly state: Record<string, Tensor>;
  readonly manifest: Manifest;
}


function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new FileError(`aot.load: cannot read the ${what} ${path}: ${(e as Error).message}`, path, code);
  }
}


/** The manifest, parsed, checksummed and checked against the schema. */
function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  const text = new TextDecoder().decode(readBytes(path, 'manifest'));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`aot.load: ${path} is not JSON (${(e as Error).message}): the file is truncated or corrupt`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FormatError(`aot.load: ${path} is not a manifest object`);
  const obj = raw as Record<string, unknown>;
  if (obj.format !== AOT_FORMAT) throw new FormatError(`aot.load: ${path} is not a graft ahead-of-time manifest (format ${JSON.stringify(obj.format)})`);
  if (obj.version !== AOT_VERSION) {
    throw new FormatError(`aot.load: ${path} has format version ${JSON.stringify(obj.version)}; this graft reads version ${AOT_VERSION}: save the step again with this graft`);
  }
  if (typeof obj.checksum !== 'string' || manifestChecksum(obj as unknown as Manifest) !== obj.checksum) {
    throw new FormatError(`aot.load: ${path}: checksum mismatch: the manifest was changed or is corrupt`);
  }
  const parsed = MANIFEST.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FormatError(`aot.load: ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Cross-references of one step: every index in range, every kernel's byte needs within its buffers. */
function checkStep(name: string, s: StepJSON, stateNames: ReadonlyMap<string, Manifest['state'][number]>): void {
  const bad = (what: string): never => {
    throw new FormatError(`aot.load: step '${name}': ${what}`);
  };
  const p = s.plan;
  const nSlots = p.slots.length;
  if (p.nInputs > nSlots || s.slots.length !== p.nInputs - (s.consts.length ? 1 : 0)) bad(`has ${s.slots.length} input slots for a plan of ${p.nInputs} inputs`);
  const checkSource = (src: SourceJSON): void => {
    if (src.kind === 'arg' && (src.index >= s.args.length || s.args[src.index]!.kind !== 'tensor')) bad(`a slot reads argument ${src.index}, which is not a tensor argument`);
    if ((src.kind === 'state' || src.kind === 'const') && !stateNames.has(src.name)) bad(`a slot reads '${src.name}', which the state file does not hold`);
    if (src.kind === 'seed' && src.draw >= s.seedDraws) bad(`a slot reads seed ${src.draw} of ${s.seedDraws}`);
  };
  const checkRef = (r: RefJSON | null): void => {
    if (r === null) return;
    if ('out' in r) {
      if (r.out >= p.outputs.length || r.out >= s.rootShapes.length) bad(`a result refers to output ${r.out} of ${p.outputs.length}`);
    } else checkSource(r.src);
  };
  if (s.constDtypes !== undefined && s.constDtypes.length !== s.consts.length) bad(`has ${s.constDtypes.length} constant dtypes for ${s.consts.length} constants`);
  for (const a of s.args) {
    if (a.kind !== 'number') continue;
    if (s.constDtypes === undefined) bad(`argument '${a.name}' is a number slot but the step lists no constant dtypes`);
    for (const q of a.positions) if (q >= s.consts.length) bad(`argument '${a.name}' writes constant ${q} of ${s.consts.length}`);
  }
  s.slots.forEach((slot, i) => {
    checkSource(slot.source);
    const info = p.slots[i]!;
    const numel = slot.shape.reduce((a, b) => a * b, 1);
    if (info.dtype !== slot.dtype || info.numel !== numel) bad(`slot ${i} ('${slot.name}') is ${slot.dtype} of ${numel} elements, the plan's is ${info.dtype} of ${info.numel}`);
  });
  for (const f of p.kernels) {
    if (f.fn >= p.functions.length) bad(`kernel ${f.name} calls function ${f.fn} of ${p.functions.length}`);
    if (f.args.length !== f.minBytes.length) bad(`kernel ${f.name} has ${f.args.length} arguments and ${f.minBytes.length} sizes`);
    for (const [w, r] of f.inPlace ?? []) if (w >= f.args.length || r >= f.args.length || w === r) bad(`kernel ${f.name} lists arguments ${w} and ${r} of ${f.args.length} as in-place`);
    f.args.forEach((slot, k) => {
      if (slot >= nSlots) bad(`kernel ${f.name} reads slot ${slot} of ${nSlots}`);
      const info = p.slots[slot]!;
      if (f.minBytes[k]! > info.numel * DTYPE_INFO[info.dtype].bytes) bad(`kernel ${f.name} needs ${f.minBytes[k]} bytes of slot ${slot}, which holds ${info.numel * DTYPE_INFO[info.dtype].bytes}`);
    });
  }
  for (const st of p.steps) {
    if (st.op === 'run' && st.kernel >= p.kernels.length) bad(`runs kernel ${st.kernel} of ${p.kernels.length}`);
    if ((st.op === 'alloc' || st.op === 'free') && st.slot >= nSlots) bad(`uses slot ${st.slot} of ${nSlots}`);
    if (st.op === 'copy' && (st.from >= nSlots || st.to >= nSlots || p.slots[st.from]!.numel !== p.slots[st.to]!.numel)) bad(`copies between slots ${st.from} and ${st.to}`);
  }
  p.slots.forEach((info, i) => {
    const r = info.role;
    if (r.kind === 'view' && (r.of >= p.nInputs || r.offset + info.numel > p.slots[r.of]!.numel)) bad(`slot ${i} is a view outside input ${r.of}`);
    if (r.kind === 'assign' && (r.target >= p.nInputs || p.slots[r.target]!.numel !== info.numel || r.readLater.some((x) => x >= nSlots))) bad(`slot ${i} assigns to slot ${r.target}`);
  });
  if (p.outputs.some((o) => o >= nSlots) || p.outputs.length !== s.rootShapes.length) bad('its outputs are out of range');
  s.rootShapes.forEach((shape, i) => {
    if (shape.reduce((a, b) => a * b, 1) !== p.slots[p.outputs[i]!]!.numel) bad(`output ${i} has shape [${shape.join(', ')}] for ${p.slots[p.outputs[i]!]!.numel} elements`);
  });
  for (const [t, r] of s.values) {
    if ('arg' in t && (t.arg >= s.args.length || s.args[t.arg]!.kind !== 'tensor')) bad(`writes argument ${t.arg}, which is not a tensor argument`);
    if ('state' in t && !stateNames.has(t.state)) bad(`writes '${t.state}', which the state file does not hold`);
    checkRef(r);
  }
  for (const [t, r] of s.grads) {
    if (!stateNames.has(t)) bad(`writes the gradient of '${t}', which the state file does not hold`);
    checkRef(r);
  }
  const walk = (t: StepJSON['result']): void => {
    if ('t' in t) checkRef(t.t);
    else if ('array' in t) t.array.forEach(walk);
    else if ('object' in t) t.object.forEach(([, e]) => walk(e));
  };
  walk(s.result);
}

/** The shared object to open: the saved one, or one rebuilt from the source for this machine's CPU. */
function libraryPath(dir: string, m: Manifest): string {
  const saved = join(dir, m.library.file);
  const missing = missingFeatures(m.build);
  if (missing.length === 0) return saved;
  const why = `the kernels were built for CPU features this machine lacks: ${missing.join(', ')} (built on ${m.build.cpuModel})`;
  let canCompile = true;
  try {
    compilerIdentity();
  } catch {
    canCompile = false;
  }
  if (!canCompile) throw new DeviceError(`aot.load: ${why}; no C compiler is available to rebuild them from ${m.source.file}: save the artifact on a machine like this one, or install a compiler`);
  if (debugLevel() >= 1) logLine(`graft aot: ${why}; rebuilding them from ${m.source.file}`);
  const source = new TextDecoder().decode(readBytes(join(dir, m.source.file), 'C source'));
  return compileShared(source);
}

function templateOf(t: StepJSON['result'], ref: (r: RefJSON) => Ref): Template {
  if ('t' in t) return { t: ref(t.t) };
  if ('array' in t) return { array: t.array.map((e) => templateOf(e, ref)) };
  if ('object' in t) return { object: t.object.map(([k, e]) => [k, templateOf(e, ref)]) };
  return { value: t.value };
}

export function load(dir: string): AotArtifact {
  if (typeof dir !== 'string' || dir === '') throw new ArgumentError(`aot.load(): dir must be a directory path, not ${typeof dir}`);
  const m = readManifest(dir);
  const stateInfo = new Map(m.state.map((s) => [s.name, s]));
  if (stateInfo.size !== m.state.length) throw new FormatError(`aot.load: ${dir}/manifest.json names a state tensor twice`);
  for (const [name, s] of Object.entries(m.steps)) checkStep(name, s, stateInfo);
  for (const f of [m.source, m.library, m.stateFile]) {
    const path = join(dir, f.file);
    if (sha256Hex(readBytes(path, f.file)) !== f.sha256) throw new FormatError(`aot.load: ${path} does not match the hash in the manifest: the file is corrupt, truncated or was changed`);
  }
  let loaded: Record<string, Tensor>;
  try {
    loaded = loadFile(join(dir, m.stateFile.file));
  } catch (e) {
    if (e instanceof GraftError) throw new FormatError(`aot.load: ${join(dir, m.stateFile.file)}: ${e.message}`);
    throw e;
  }
  const state: Record<string, Tensor> = {};
  const consts = new Map<string, Buffer>();
  for (const s of m.state) {
    const t = loaded[s.name];
    if (t === undefined) throw new FormatError(`aot.load: the state file lacks '${s.name}'`);
    if (t.dtype !== s.dtype || t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new FormatError(`aot.load: state '${s.name}' is ${t.dtype} [${t.shape.join(', ')}], the manifest says ${s.dtype} [${s.shape.join(', ')}]`);
    }
    if (s.role === 'state') state[s.name] = t;
    else consts.set(s.name, t._contiguousBuffer());
  }
  const lib = openLibrary(libraryPath(dir, m));
  const steps: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, s] of Object.entries(m.steps)) {
    const plan = { ...s.plan, functions: s.plan.functions.map((f) => ({ name: f.name, source: '', gemm: f.gemm })) } as unknown as ProgramPlan;
    const program = new Program(`aot:${name}`, plan);
    try {
      program.useLibrary(lib);
    } catch (e) {
      throw new FormatError(`aot.load: ${m.library.file} does not define the functions of step '${name}': ${(e as Error).message}`);
    }
    const source = (src: SourceJSON): Source => {
      switch (src.kind) {
        case 'arg':
          return { kind: 'arg', index: src.index };
        case 'state': {
          const t = state[src.name]!;
          return { kind: 'state', tensor: t, shape: t._shape, dtype: t.dtype };
        }
        case 'const':
          return { kind: 'const', buffer: consts.get(src.name)! };
        case 'seed':
          return { kind: 'seed', draw: src.draw };
      }
    };
    const ref = (r: RefJSON): Ref => ('out' in r ? { out: r.out } : { src: source(r.src) });
    const target = (t: { arg: number } | { state: string }): Target => ('arg' in t ? { arg: t.arg } : { tensor: state[t.state]! });
    const guards = s.args.map((a) =>
      a.kind === 'tensor'
        ? { shape: a.shape as Shape, dtype: a.dtype, device: 'cpu', requiresGrad: a.requiresGrad }
        : a.kind === 'number'
          ? { number: { integral: a.integral } }
          : { value: a.value },
    );
    const numberSlots = s.args.flatMap((a, leaf) => (a.kind === 'number' ? [{ leaf, positions: a.positions }] : []));
    const variant = new Variant(
      s.structure,
      guards,
      undefined,
      null,
      [],
      [],
      program,
      'cpu',
      s.slots.map((slot) => source(slot.source)),
      s.consts.length ? Float64Array.from(s.consts) : null,
      s.seedDraws,
      s.rootShapes,
      s.values.map(([t, r]) => [target(t), ref(r)] as const),
      s.grads.map(([t, r]) => [{ tensor: state[t]! }, r === null ? null : ref(r)] as const),
      templateOf(s.result, ref),
      s.constDtypes ?? [],
      numberSlots,
    );
    steps[name] = (...args: unknown[]): unknown => {
      const flat = flattenArgs(args);
      checkArgs(name, s, flat.leaves, flat.structure);
      const out = variant.replay(flat);
      if (out === null) throw new ShapeError(`aot: step '${name}': a state tensor changed shape or dtype since loading`);
      return out.result;
    };
  }
  return { steps, state, manifest: m };
}

/** The arguments against the step's slots: typed errors naming the argument. */
function checkArgs(name: string, s: StepJSON, leaves: readonly unknown[], structure: string): void {
  if (structure !== s.structure) {
    throw new ArgumentError(`aot: step '${name}' takes (${s.args.map((a) => a.name).join(', ')}); the arguments given have another structure`);
  }
  s.args.forEach((a, i) => {
    const v = leaves[i];
    if (a.kind === 'number') {
      if (typeof v !== 'number' || Number.isInteger(v) !== a.integral) throw new ArgumentError(`aot: step '${name}': argument '${a.name}' must be a${a.integral ? 'n integer' : ' fractional'} number, got ${String(v)}`);
      const bad = a.positions.find((p) => !isLiftedConstantValue(castScalar(v, s.constDtypes?.[p] ?? 'float64') as number));
      if (bad !== undefined) throw new ArgumentError(`aot: step '${name}': argument '${a.name}' = ${v} is a value the saved program has in its structure (0, ±1, ±2, ±0.5 or not finite)`);
      return;
    }
    if (a.kind === 'value') {
      if (!Object.is(v, a.value)) throw new ArgumentError(`aot: step '${name}': argument '${a.name}' was compiled for ${JSON.stringify(a.value)}, got ${String(v)}`);
      return;
    }
    if (!(v instanceof Tensor)) throw new ArgumentError(`aot: step '${name}': argument '${a.name}' must be a Tensor, not ${typeof v}`);
    if (v.device !== 'cpu') throw new DeviceError(`aot: step '${name}': argument '${a.name}' is on ${v.device}; the artifact runs on cpu`);
    if (v.dtype !== a.dtype) throw new DTypeError(`aot: step '${name}': argument '${a.name}' must be ${a.dtype}, got ${v.dtype}`);
    const shape = v._shape;
    if (shape.length !== a.shape.length || shape.some((d, k) => d !== a.shape[k])) {
      throw new ShapeError(`aot: step '${name}': argument '${a.name}' must have shape [${a.shape.join(', ')}], got [${shape.join(', ')}]`);
    }
  });
}
