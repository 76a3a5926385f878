import { ArgumentError, IndexError } from '../../ir/index.js';
import { describeValue } from '../../tensor/options.js';
import { Module } from '../module.js';

/** Submodules registered under the names '0', '1', ...: what Sequential and ModuleList share. */
abstract class IndexedModules extends Module {
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    if (!Number.isSafeInteger(i)) throw new ArgumentError(`${this.constructor.name}.at(): index must be an integer, not ${describeValue(i)}`);
    const list = this.children();
    const j = i < 0 ? i + list.length : i;
    if (j < 0 || j >= list.length) throw new IndexError(`index ${i} is out of range`);
    return list[j]!;
  }
  get length(): number {
    return this.children().length;
  }
  append(m: Module): this {
    if (!(m instanceof Module)) throw new ArgumentError(`${this.constructor.name}.append(): ${describeValue(m)} is not a Module subclass`);
    this.registerModule(String(this.children().length), m);
    return this;
  }
  extend(ms: Iterable<Module>): this {
    if (typeof (ms as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function' || typeof ms === 'string') {
      throw new ArgumentError(`${this.constructor.name}: expected an iterable of Modules, got ${describeValue(ms)}`);
    }
    for (const m of ms) this.append(m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** Modules run one after another: the output of each is the input of the next. */
export class Sequential extends IndexedModules {
  constructor(...modules: Module[]) {
    super();
    this.extend(modules);
  }
  override forward(x: unknown): unknown {
    let y = x;
    for (const m of this.children()) y = m.call(y);
    return y;
  }
}

/** A list of submodules, registered so their parameters are found. */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }
}
