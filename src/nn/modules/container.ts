import { IndexError } from '../../ir/index.js';
import { Module } from '../module.js';

/** Modules run one after another: the output of each is the input of the next. */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const list = this.children();
    const j = i < 0 ? i + list.length : i;
    if (j < 0 || j >= list.length) throw new IndexError(`index ${i} is out of range`);
    return list[j]!;
  }
  get length(): number {
    return this.children().length;
  }
  append(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }
  override forward(x: unknown): unknown {
    let y = x;
    for (const m of this.children()) y = m.call(y);
    return y;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** A list of submodules, registered so their parameters are found. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  at(i: number): Module {
    const list = this.children();
    const j = i < 0 ? i + list.length : i;
    if (j < 0 || j >= list.length) throw new IndexError(`index ${i} is out of range`);
    return list[j]!;
  }
  get length(): number {
    return this.children().length;
  }
  append(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }
  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}
