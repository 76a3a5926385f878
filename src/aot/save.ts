/**
 * torch.aot.save(steps, dir, { names }): write compiled steps (torch.compile, each captured at least once or
 * compiled from `example` specs) as a directory that runs without a C compiler:
 *
 *   manifest.json       versioned, checksummed: steps, slots, plans, files and their hashes (manifest.ts)
 *   kernels.c           the C source of every function the steps call
 *   kernels.so          the shared object built from it, with the flags and CPU features in the manifest
 *   state.safetensors   the state the steps read and write (parameters, optimizer state, learning rates)
 *                       as it is now, and the constants they read
 *
 * State is named from `names` (modules give their parameter and buffer names, optimizers their state by
 * parameter name and their learning rates), else `state<k>`. Steps saved together share state by identity:
 * a training and an evaluation step over one model read the same parameters when loaded.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, build, CompileError, type Node } from '../ir/index.js';
import { compileShared, compilerIdentity, DEFAULT_CFLAGS } from '../compiler/cc.js';
import { renderFile } from '../compiler/render/c/index.js';
import { sha256Hex } from '../compiler/cache/disk-cache.js';
import type { Buffer } from '../runtime/index.js';
import { fromNode, Tensor } from '../tensor/index.js';
import { originalOf, variantsOf, type Ref, type Source, type Template, type Variant } from '../tensor/compile.js';
import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { saveFile } from '../io/save.js';
import { writeFileAtomic } from '../io/files.js';
import { custom, defineOptions } from '../tensor/options.js';
import { cpuInfo } from './cpu.js';
import { AOT_FORMAT, AOT_VERSION, manifestChecksum, type Manifest, type RefJSON, type SourceJSON, type StepJSON } from './manifest.js';

export interface AotSaveOptions {
  /** Objects whose tensors get names in the artifact: modules (parameters, buffers), optimizers (state) and tensors. */
  names?: Record<string, Module | Optimizer | Tensor>;
}

const graftVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;


/** Names for state tensors from the modules and optimizers given. */
function stateNames(names: Record<string, Module | Optimizer | Tensor>): Map<Tensor, string> {
  const out = new Map<Tensor, string>();
  const give = (t: Tensor, name: string): void => {
    if (!out.has(t)) out.set(t, name);
  };
  for (const [name, obj] of Object.entries(names)) if (obj instanceof Tensor) give(obj, name);
  for (const [prefix, obj] of Object.entries(names)) {
    if (obj instanceof Module) {
      for (const [n, p] of obj.namedParameters()) give(p, `${prefix}.${n}`);
      for (const [n, b] of obj.namedBuffers()) give(b, `${prefix}.${n}`);
    }
  }
  for (const [prefix, obj] of Object.entries(names)) {
    if (obj instanceof Optimizer) {
      let k = 0;
      for (const g of obj.paramGroups) {
        for (const p of g.params) {
          const pname = out.get(p) ?? `${prefix}.param${k}`;
          give(p, pname);
          for (const [key, v] of Object.entries(obj.state.get(p) ?? {})) if (v instanceof Tensor) give(v, `${prefix}.state.${pname}.${key}`);
          k++;
        }
      }
      for (const [n, t] of obj.namedHypers()) give(t, `${prefix}.${n}`);
    }
  }
  return out;
}

/** The variant a step saves: its most recent capture. */
function variantOf(name: string, f: unknown): Variant {
  const vs = variantsOf(f);
  if (vs === null) throw new ArgumentError(`aot.save: '${name}' is not a compiled function (torch.compile(fn))`);
  const v = vs[0];
  if (v === undefined) {
    throw new CompileError(`aot.save: '${name}' has not been captured yet: call it once, or compile it with { example: [torch.spec(...), ...] }`);
  }
  if (v.device !== 'cpu') throw new CompileError(`aot.save: '${name}' runs on ${v.device}; ahead-of-time artifacts hold CPU kernels`);
  return v;
}

/** Argument names from the function's source (`(x, y) => ...`, `function step(x, y)`), else arg<i>. */
function parameterNames(f: unknown, count: number): string[] {
  const text = typeof f === 'function' ? Function.prototype.toString.call(f) : '';
  const m = /^(?:async\s*)?(?:function\s*[\w$]*\s*)?\(([^)]*)\)/.exec(text) ?? /^([\w$]+)\s*=>/.exec(text);
  const names = m ? m[1]!.split(',').map((p) => p.trim().replace(/\s*=.*$/, '')).filter((p) => /^[A-Za-z_$][\w$]*$/.test(p)) : [];
  return Array.from({ length: count }, (_, i) => names[i] ?? `arg${i}`);
}

const SAVE_OPTIONS = defineOptions('aot.save', {
  names: custom<Record<string, Module | Optimizer | Tensor>>(
    'an object of modules, optimizers and tensors',
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((o) => o instanceof Module || o instanceof Optimizer || o instanceof Tensor),
  ).optional(),
});

export function save(steps: ((...args: never[]) => unknown) | Record<string, (...args: never[]) => unknown>, dir: string, opts: AotSaveOptions = {}): void {
  if (typeof dir !== 'string' || dir === '') throw new ArgumentError(`aot.save(): dir must be a directory path, not ${typeof dir}`);
  SAVE_OPTIONS.check(opts);
  opts ??= {};
  const named: Record<string, unknown> = typeof steps === 'function' ? { [steps.name || 'step']: steps } : steps;
  if (typeof named !== 'object' || named === null || Object.keys(named).length === 0) {
    throw new ArgumentError('aot.save(): give a compiled function or an object of them ({ train, evaluate })');
  }
  for (const k of Object.keys(named)) if (!/^[A-Za-z_$][\w$]*$/.test(k)) throw new ArgumentError(`aot.save(): step name '${k}' is not an identifier`);
  const variants = Object.entries(named).map(([k, f]) => [k, variantOf(k, f), f] as const);
  const names = stateNames(opts.names ?? {});
  const state = new Map<Tensor, string>();
  const consts = new Map<Buffer, string>();
  const taken = new Set<string>();
  const stateName = (t: Tensor): string => {
    let n = state.get(t);
    if (n === undefined) {
      n = names.get(t) ?? `state${state.size}`;
      while (taken.has(n)) n = `${n}_`;
      taken.add(n);
      state.set(t, n);
    }
    return n;
  };
  const constName = (b: Buffer): string => {
    let n = consts.get(b);
    if (n === undefined) {
      n = `const${consts.size}`;
      while (taken.has(n)) n = `${n}_`;
      taken.add(n);
      consts.set(b, n);
    }
    return n;
  };
  const sourceJSON = (s: Source): SourceJSON => {
    switch (s.kind) {
      case 'arg':
        return { kind: 'arg', index: s.index };
      case 'state':
        return { kind: 'state', name: stateName(s.tensor) };
      case 'const':
        return { kind: 'const', name: constName(s.buffer) };
      case 'seed':
        return { kind: 'seed', draw: s.draw };
    }
  };
  const refJSON = (r: Ref): RefJSON => ('out' in r ? { out: r.out } : { src: sourceJSON(r.src) });
  const templateJSON = (t: Template): StepJSON['result'] => {
    if ('t' in t) return { t: refJSON(t.t) };
    if ('array' in t) return { array: t.array.map(templateJSON) };
    if ('object' in t) return { object: t.object.map(([k, e]) => [k, templateJSON(e)] as [string, StepJSON['result']]) };
    const v = t.value;
    if (v === undefined || v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return { value: v ?? null };
    throw new CompileError(`aot.save: the step returns ${typeof v} values beside tensors, which a file cannot hold`);
  };

  const functions = new Map<string, { source: string; gemm: boolean }>();
  const stepsJSON: Record<string, StepJSON> = {};
  for (const [key, v, f] of variants) {
    const plan = v.program.plan;
    for (const fn of plan.functions) functions.set(fn.name, { source: fn.source, gemm: fn.gemm });
    const argNames = parameterNames(originalOf(f), v.guards.length);
    const args = v.guards.map((g, i) => {
      if ('number' in g) {
        const positions = v.numberSlots.find((n) => n.leaf === i)!.positions;
        return { kind: 'number' as const, name: argNames[i]!, integral: g.number.integral, positions: [...positions] };
      }
      if ('value' in g) {
        const val = g.value;
        if (!(val === null || typeof val === 'number' || typeof val === 'string' || typeof val === 'boolean')) {
          throw new CompileError(`aot.save: argument ${i} of '${key}' is ${typeof val}; a saved step takes tensors, numbers, strings and booleans`);
        }
        return { kind: 'value' as const, name: argNames[i]!, value: val };
      }
      return { kind: 'tensor' as const, name: argNames[i]!, shape: [...g.shape], dtype: g.dtype as 'float32', requiresGrad: g.requiresGrad };
    });
    const slots = v.sources.map((s, i) => {
      const info = plan.slots[i]!;
      const src = sourceJSON(s);
      const role = s.kind === 'arg' ? ('argument' as const) : s.kind === 'state' ? ('state' as const) : s.kind === 'const' ? ('constant' as const) : ('seed' as const);
      const name = src.kind === 'arg' ? args[src.index]!.name : src.kind === 'state' || src.kind === 'const' ? src.name : `seed${src.draw}`;
      return { name, role, shape: s.kind === 'state' ? [...s.shape] : [info.numel], dtype: info.dtype, source: src };
    });
    stepsJSON[key] = {
      structure: v.structure,
      args,
      slots,
      consts: v.consts ? [...v.consts] : [],
      constDtypes: [...v.constDtypes],
      seedDraws: v.seedDraws,
      rootShapes: v.rootShapes.map((s) => [...s]),
      plan: { ...plan, functions: plan.functions.map((fn) => ({ name: fn.name, gemm: fn.gemm })) } as unknown as StepJSON['plan'],
      values: v.values.map(([t, r]) => ['arg' in t ? { arg: t.arg } : { state: stateName(t.tensor) }, refJSON(r)] as StepJSON['values'][number]),
      grads: v.grads.map(([t, r]) => {
        if ('arg' in t) throw new CompileError(`aot.save: '${key}' writes the gradient of an argument; a saved step cannot hand it back`);
        return [stateName(t.tensor), r === null ? null : refJSON(r)] as StepJSON['grads'][number];
      }),
      result: templateJSON(v.result),
    };
  }

  // Files: the C source and its shared object, the state.
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ArgumentError(`aot.save(): cannot create ${dir}: ${(e as Error).message}`);
  }
  const fnList = [...functions.values()];
  const source = renderFile(
    fnList.some((f) => f.gemm),
    fnList.map((f) => f.source),
  );
  const so = compileShared(source);
  const encoder = new TextEncoder();
  writeFileAtomic('aot.save', join(dir, 'kernels.c'), [encoder.encode(source)]);
  writeFileAtomic('aot.save', join(dir, 'kernels.so'), [readFileSync(so)]);
  const tensors: Record<string, Tensor> = {};
  const stateList: Manifest['state'] = [];
  for (const [t, n] of state) {
    tensors[n] = t.detach();
    stateList.push({ name: n, shape: t.shape, dtype: t.dtype, role: 'state' });
  }
  for (const [b, n] of consts) {
    tensors[n] = fromNode(build.buffer(b) as Node, 'cpu');
    stateList.push({ name: n, shape: [b.size], dtype: b.dtype, role: 'constant' });
  }
  saveFile(tensors, join(dir, 'state.safetensors'));
  const cpu = cpuInfo();
  const body: Omit<Manifest, 'checksum'> = {
    format: AOT_FORMAT,
    version: AOT_VERSION,
    graft: graftVersion(),
    build: { compiler: compilerIdentity().split('\n')[0]!, flags: [...DEFAULT_CFLAGS], arch: cpu.arch, cpuModel: cpu.model, cpuFeatures: cpu.features },
    source: { file: 'kernels.c', sha256: sha256Hex(source) },
    library: { file: 'kernels.so', sha256: sha256Hex(readFileSync(join(dir, 'kernels.so'))) },
    stateFile: { file: 'state.safetensors', sha256: sha256Hex(readFileSync(join(dir, 'state.safetensors'))) },
    state: stateList,
    steps: stepsJSON,
  };
  const manifest: Manifest = { ...body, checksum: manifestChecksum(body) };
  writeFileAtomic('aot.save', join(dir, 'manifest.json'), [encoder.encode(JSON.stringify(manifest, null, 1) + '\n')]);
}
