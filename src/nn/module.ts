/**
 * torch.nn.Module: subclass it, assign parameters and submodules as fields, write `forward`.
 * Fields are discovered by walking the instance's own properties in assignment order (PyTorch registers
 * them in __setattr__; JS has no such hook without proxies, and the walk costs nothing per op).
 */
import { ArgumentError, DTypeError, isDType, isFloat, ValueError, type DType } from '../ir/index.js';
import { noGrad, resolveDevice, Tensor } from '../tensor/index.js';
import { bool, checked, defineOptions, describeValue, deviceArg, dtypeArg, str } from '../tensor/options.js';
import { Parameter } from './parameter.js';
import { capture } from '../tensor/capture-hooks.js';

const REGISTER_BUFFER_OPTIONS = defineOptions('registerBuffer', { persistent: bool.optional() });
const NAMED_OPTIONS = defineOptions('namedParameters', { prefix: str.optional(), recurse: bool.optional() });
const NAMED_BUFFERS_OPTIONS = defineOptions('namedBuffers', { prefix: str.optional(), recurse: bool.optional() });
const MODULE_TO_OPTIONS = defineOptions('Module.to', { device: deviceArg.optional(), dtype: dtypeArg.optional() });
const ZERO_GRAD_OPTIONS = defineOptions('Module.zeroGrad', { setToNone: bool.optional() });
const LOAD_STATE_DICT_OPTIONS = defineOptions('loadStateDict', { strict: bool.optional() });

function checkName(op: string, what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new ArgumentError(`${op}(): ${what} name should be a string. Got ${describeValue(name)}`);
  if (name.includes('.') || name === '') throw new ValueError(`${op}(): ${what} name can't contain "." or be empty, got "${name}"`);
}

const fmtSize = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

export class Module {
  private _training = true;
  /** Training mode (train()/eval()): Dropout and BatchNorm behave differently. */
  get training(): boolean {
    // A compiled step that read the flag replays only under the same flag (src/tensor/compile.ts).
    if (capture.hooks !== null) capture.hooks.training(this, this._training);
    return this._training;
  }
  set training(mode: boolean) {
    this._training = mode;
  }
  /** @internal Names of registered buffers (state that is not a parameter), with persistence. */
  private readonly _bufferNames = new Map<string, boolean>();

  /** The computation. Subclasses override it. */
  forward(..._args: unknown[]): unknown {
    throw new ValueError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Run the module: PyTorch's `net(x)`. */
  call(...args: unknown[]): any {
    return this.forward(...args);
  }

  /** Register a tensor as state that is not a parameter (e.g. BatchNorm's running mean); it is saved unless persistent=false. */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkName('registerBuffer', 'buffer', name);
    REGISTER_BUFFER_OPTIONS.check(opts);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new ArgumentError(`registerBuffer(): cannot assign ${describeValue(tensor)} as buffer '${name}' (a Tensor or null is required)`);
    }
    this._bufferNames.set(name, opts.persistent ?? true);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  /** Register a parameter under a name (same as assigning a Parameter field). */
  registerParameter(name: string, param: Parameter | null): void {
    checkName('registerParameter', 'parameter', name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new ArgumentError(`registerParameter(): cannot assign ${describeValue(param)} as parameter '${name}' (a Parameter or null is required)`);
    }
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /** Register a submodule under a name (same as assigning a Module field). */
  registerModule(name: string, module: Module | null): void {
    checkName('registerModule', 'module', name);
    if (module !== null && !(module instanceof Module)) throw new ArgumentError(`registerModule(): ${describeValue(module)} is not a Module subclass`);
    (this as unknown as Record<string, unknown>)[name] = module;
  }
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** @internal Own fields in order, classified. */
  protected _fields(): { params: [string, Parameter][]; children: [string, Module][]; buffers: [string, Tensor, boolean][] } {
    const params: [string, Parameter][] = [];
    const children: [string, Module][] = [];
    const buffers: [string, Tensor, boolean][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (k.startsWith('_')) continue;
      if (this._bufferNames.has(k)) {
        if (v instanceof Tensor) buffers.push([k, v, this._bufferNames.get(k)!]);
      } else if (v instanceof Parameter) params.push([k, v]);
      else if (v instanceof Module) children.push([k, v]);
    }
    return { params, children, buffers };
  }

  namedChildren(): [string, Module][] {
    return this._fields().children;
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, with dotted names ('' for this one). Each module once. */
  namedModules(prefix = '', seen = new Set<Module>()): [string, Module][] {
    if (typeof prefix !== 'string') throw new ArgumentError(`namedModules(): argument 'prefix' must be a string, not ${describeValue(prefix)}`);
    if (!(seen instanceof Set)) throw new ArgumentError(`namedModules(): argument 'memo' must be a Set, not ${describeValue(seen)}`);
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names, each once (shared parameters appear under their first name). */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    NAMED_OPTIONS.check(opts);
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const mods: [string, Module][] = opts.recurse === false ? [[opts.prefix ?? '', this]] : this.namedModules(opts.prefix ?? '');
    for (const [mname, m] of mods) {
      for (const [pname, p] of m._fields().params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mname ? `${mname}.${pname}` : pname, p]);
      }
    }
    return out;
  }
  parameters(recurse = true): Parameter[] {
    if (typeof recurse !== 'boolean') throw new ArgumentError(`parameters(): argument 'recurse' must be a boolean, not ${describeValue(recurse)}`);
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }

  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    NAMED_BUFFERS_OPTIONS.check(opts);
    const out: [string, Tensor][] = [];
    const mods: [string, Module][] = opts.recurse === false ? [[opts.prefix ?? '', this]] : this.namedModules(opts.prefix ?? '');
    for (const [mname, m] of mods) for (const [bname, b] of m._fields().buffers) out.push([mname ? `${mname}.${bname}` : bname, b]);
    return out;
  }
  buffers(recurse = true): Tensor[] {
    if (typeof recurse !== 'boolean') throw new ArgumentError(`buffers(): argument 'recurse' must be a boolean, not ${describeValue(recurse)}`);
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /** Set training mode here and below. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ValueError(`training mode is expected to be boolean, but got ${describeValue(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Drop (default) or zero the gradients of every parameter. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    ZERO_GRAD_OPTIONS.check(opts);
    for (const p of this.parameters()) {
      if (opts.setToNone === false && p.grad) p.grad = noGrad(() => p.grad!.detach().zero_());
      else p.grad = null;
    }
  }

  /** Parameters and persistent buffers by dotted name (detached tensors sharing storage). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [mname, m] of this.namedModules()) {
      const f = m._fields();
      for (const [n, p] of f.params) out[mname ? `${mname}.${n}` : n] = p.detach();
      for (const [n, b, persistent] of f.buffers) if (persistent) out[mname ? `${mname}.${n}` : n] = b.detach();
    }
    return out;
  }

  /**
   * Copy values from a state dict into this module's parameters and buffers. With `strict` (default), missing
   * or unexpected keys are an error; a shape mismatch is always an error. Nothing is changed on error.
   */
  loadStateDict(state: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = checked(LOAD_STATE_DICT_OPTIONS, opts).strict ?? true;
    if (typeof state !== 'object' || state === null || Array.isArray(state) || state instanceof Tensor) {
      throw new ArgumentError(`loadStateDict(): Expected state_dict to be dict-like (an object or Map of name -> Tensor), got ${describeValue(state)}`);
    }
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const targets = new Map<string, [Module, string, Tensor, boolean]>();
    for (const [mname, m] of this.namedModules()) {
      const f = m._fields();
      for (const [n, p] of f.params) targets.set(mname ? `${mname}.${n}` : n, [m, n, p, true]);
      for (const [n, b, persistent] of f.buffers) if (persistent) targets.set(mname ? `${mname}.${n}` : n, [m, n, b, false]);
    }
    const missing = [...targets.keys()].filter((k) => !entries.has(k));
    const unexpected = [...entries.keys()].filter((k) => !targets.has(k));
    const errors: string[] = [];
    if (strict && unexpected.length) errors.push(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
    if (strict && missing.length) errors.push(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
    for (const [k, v] of entries) {
      const t = targets.get(k);
      if (!t) continue;
      if (!(v instanceof Tensor)) {
        errors.push(`While copying the parameter named "${k}", expected a Tensor, got ${describeValue(v)}.`);
        continue;
      }
      const cur = t[2];
      if (v.shape.length !== cur.shape.length || v.shape.some((d, i) => d !== cur.shape[i])) {
        errors.push(`size mismatch for ${k}: copying a param with shape ${fmtSize(v.shape)} from checkpoint, the shape in current model is ${fmtSize(cur.shape)}.`);
      }
    }
    if (errors.length) throw new ValueError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    noGrad(() => {
      for (const [k, v] of entries) {
        const t = targets.get(k);
        if (t) t[2].copy_(v.to(t[2].device));
      }
    });
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** Apply fn to every module (children first, then this one), as PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') throw new ArgumentError(`apply(): argument 'fn' must be a function, not ${describeValue(fn)}`);
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Move parameters and buffers to a device, or convert their floating point ones to a floating dtype
   * (`to('cuda')`, `to(torch.float16)`, `to({ device, dtype })`), in place: the same Parameter objects, new
   * storage, as PyTorch's Module.to.
   */
  to(target: string | { device?: string; dtype?: DType }): this {
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      const o = checked(MODULE_TO_OPTIONS, target);
      if (o.dtype !== undefined) this._toDType(o.dtype);
      return o.device !== undefined ? this.to(o.device) : this;
    }
    if (isDType(target)) return this._toDType(target);
    let device = target;
    if (typeof device !== 'string') throw new ArgumentError(`Module.to(): argument 'device' must be a device name, not ${describeValue(device)}`);
    device = resolveDevice(device); // an unknown device fails here, before anything moves
    for (const m of this.modules()) {
      const rec = m as unknown as Record<string, unknown>;
      for (const [n, p] of m._fields().params) {
        if (p.device !== device) p._moveTo(device);
        void n;
      }
      for (const [n, b] of m._fields().buffers) rec[n] = b.to(device);
    }
    return this;
  }
  /** Convert floating point parameters and buffers to `dtype` (integer ones, such as counters, stay). */
  private _toDType(dtype: DType): this {
    if (!isFloat(dtype)) {
      throw new DTypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${dtype}`);
    }
    for (const m of this.modules()) {
      const rec = m as unknown as Record<string, unknown>;
      for (const [, p] of m._fields().params) if (isFloat(p.dtype) && p.dtype !== dtype) p._castTo(dtype);
      for (const [n, b] of m._fields().buffers) if (isFloat(b.dtype)) rec[n] = b.to(dtype);
    }
    return this;
  }
  /** Floating point parameters and buffers to float16. */
  half(): this {
    return this._toDType('float16');
  }
  bfloat16(): this {
    return this._toDType('bfloat16');
  }
  float(): this {
    return this._toDType('float32');
  }
  double(): this {
    return this._toDType('float64');
  }
  cuda(): this {
    return this.to('cuda');
  }
  cpu(): this {
    return this.to('cpu');
  }

  /** Extra text for this module's line in toString(), as PyTorch's extra_repr. */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const children = this.namedChildren();
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = children.map(([n, c]) => `  (${n}): ${c.toString().split('\n').join('\n  ')}`);
    if (extra) lines.unshift(`  ${extra}`);
    return `${this.constructor.name}(\n${lines.join('\n')}\n)`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
