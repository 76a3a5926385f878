/**
 * ModuleDict, ParameterList and ParameterDict: containers whose entries are registered on the module under
 * their keys (ParameterList: '0', '1', ...), so parameters(), stateDict() and to() see them with PyTorch's
 * names (`heads.encoder.weight`, `scales.0`). A key that names something else of the module (a method,
 * `training`) is refused, as PyTorch refuses an attribute that already exists. Missing keys are IndexErrors
 * (graft has no KeyError).
 */
import { ArgumentError, IndexError, ValueError } from '../../ir/index.js';
import { Tensor } from '../../tensor/index.js';
import { describeValue } from '../../tensor/options.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

type Entries<V> = Record<string, V> | Map<string, V> | Iterable<readonly [string, V]>;

function entriesOf<V>(op: string, src: Entries<V> | undefined | null): [string, V][] {
  if (src === undefined || src === null) return [];
  if (src instanceof Map) return [...src.entries()];
  if (typeof src !== 'object') throw new ArgumentError(`${op}: expected a mapping or an iterable of (key, value) pairs, got ${describeValue(src)}`);
  if (typeof (src as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const out: [string, V][] = [];
    for (const e of src as Iterable<unknown>) {
      if (!Array.isArray(e) || e.length !== 2) throw new ArgumentError(`${op}: update sequence element has to be a [key, value] pair, got ${describeValue(e)}`);
      out.push([e[0] as string, e[1] as V]);
    }
    return out;
  }
  return Object.entries(src as Record<string, V>);
}

/** What the keyed containers share: get/set/delete by key on the module's own fields. */
abstract class Keyed<V> extends Module {
  protected abstract register(key: string, value: V): void;
  protected abstract isEntry(v: unknown): boolean;

  protected checkKey(key: unknown): asserts key is string {
    const op = this.constructor.name;
    if (typeof key !== 'string') throw new ArgumentError(`${op}: keys must be strings, got ${describeValue(key)}`);
    if (key in this && !this.isEntry((this as unknown as Record<string, unknown>)[key])) throw new ValueError(`${op}: attribute '${key}' already exists`);
  }
  /** The entry under `key`. */
  get(key: string): V {
    if (!this.has(key)) throw new IndexError(`${this.constructor.name}: key ${describeValue(key)} not found`);
    return (this as unknown as Record<string, V>)[key]!;
  }
  /** Set (or replace) the entry under `key`. */
  set(key: string, value: V): this {
    this.checkKey(key);
    this.register(key, value);
    return this;
  }
  has(key: string): boolean {
    return typeof key === 'string' && Object.prototype.hasOwnProperty.call(this, key) && this.isEntry((this as unknown as Record<string, unknown>)[key]);
  }
  /** Remove the entry under `key` and return it. */
  pop(key: string): V {
    const v = this.get(key);
    delete (this as unknown as Record<string, unknown>)[key];
    return v;
  }
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this.pop(key);
    return true;
  }
  clear(): void {
    for (const k of this.keys()) this.pop(k);
  }
  keys(): string[] {
    return Object.keys(this).filter((k) => this.has(k));
  }
  values(): V[] {
    return this.keys().map((k) => this.get(k));
  }
  items(): [string, V][] {
    return this.keys().map((k) => [k, this.get(k)]);
  }
  get length(): number {
    return this.keys().length;
  }
  /** Add the entries of a mapping or of [key, value] pairs. */
  update(entries: Entries<V>): this {
    for (const [k, v] of entriesOf(`${this.constructor.name}.update()`, entries)) this.set(k, v);
    return this;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}

/** Submodules by name: `new nn.ModuleDict({ encoder: ..., head: ... })`. */
export class ModuleDict extends Keyed<Module> {
  constructor(modules?: Entries<Module>) {
    super();
    this.update(modules ?? {});
  }
  protected register(key: string, value: Module): void {
    this.registerModule(key, value);
  }
  protected isEntry(v: unknown): boolean {
    return v instanceof Module;
  }
}

/** A Tensor as a Parameter (PyTorch's ParameterList/Dict wrap plain tensors). */
function asParameter(op: string, v: unknown): Parameter {
  if (v instanceof Parameter) return v;
  if (v instanceof Tensor) return new Parameter(v);
  throw new ArgumentError(`${op}: cannot assign ${describeValue(v)} as a parameter (a Parameter or a Tensor is required)`);
}

/** Parameters by name: `new nn.ParameterDict({ scale: new nn.Parameter(...) })`; plain tensors become Parameters. */
export class ParameterDict extends Keyed<Parameter> {
  constructor(parameters?: Entries<Parameter | Tensor>) {
    super();
    this.update((parameters ?? {}) as Entries<Parameter>);
  }
  protected register(key: string, value: Parameter): void {
    this.registerParameter(key, asParameter('ParameterDict', value));
  }
  protected isEntry(v: unknown): boolean {
    return v instanceof Parameter;
  }
  /** As PyTorch 1.13 prints it: `ParameterDict(  (a): Parameter containing: [torch.FloatTensor of size 2])`. */
  override toString(): string {
    const legacy: Record<string, string> = { float32: 'FloatTensor', float64: 'DoubleTensor', int32: 'IntTensor', int64: 'LongTensor', bool: 'BoolTensor' };
    const lines = this.items().map(([k, p]) => `  (${k}): Parameter containing: [torch.${legacy[p.dtype] ?? p.dtype} of size ${p.shape.join('x')}]`);
    return `ParameterDict(${lines.join('\n')})`;
  }
}

/** A list of parameters, registered as '0', '1', ...; plain tensors become Parameters. */
export class ParameterList extends Module {
  constructor(parameters: Iterable<Parameter | Tensor> = []) {
    super();
    this.extend(parameters);
  }
  get length(): number {
    let n = 0;
    while (Object.prototype.hasOwnProperty.call(this, String(n))) n++;
    return n;
  }
  /** The i-th parameter (negative counts from the end). */
  at(i: number): Parameter {
    if (!Number.isSafeInteger(i)) throw new ArgumentError(`ParameterList.at(): index must be an integer, not ${describeValue(i)}`);
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw new IndexError(`index ${i} is out of range`);
    return (this as unknown as Record<string, Parameter>)[String(j)]!;
  }
  /** Replace the i-th parameter. */
  set(i: number, value: Parameter | Tensor): this {
    this.at(i);
    const n = this.length;
    this.registerParameter(String(i < 0 ? i + n : i), asParameter('ParameterList', value));
    return this;
  }
  append(value: Parameter | Tensor): this {
    this.registerParameter(String(this.length), asParameter('ParameterList.append()', value));
    return this;
  }
  extend(values: Iterable<Parameter | Tensor>): this {
    if (typeof (values as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function' || typeof values === 'string') {
      throw new ArgumentError(`ParameterList.extend should be called with an iterable, but got ${describeValue(values)}`);
    }
    for (const v of values) this.append(v);
    return this;
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return Array.from({ length: this.length }, (_, i) => this.at(i))[Symbol.iterator]();
  }
  /** As PyTorch prints it: one `(i): Parameter containing: [torch.float32 of size 3x2]` line per entry. */
  override toString(): string {
    const lines = [...this].map((p, i) => `    (${i}): Parameter containing: [torch.${p.dtype} of size ${p.shape.join('x')}]`);
    return lines.length ? `ParameterList(\n${lines.join('\n')}\n)` : 'ParameterList()';
  }
}
