/**
 * Printing per-element values as C statements inside nested scopes. Each value is declared once, as a
 * `const` local, in the outermost scope where everything it needs (loop variables, finished accumulators)
 * is available: a value that does not depend on the inner loop is computed once per row, one that depends
 * on no loop at all once per call. Later uses in nested scopes reuse the declaration.
 */
import type { Cond, Sym } from '../../lower/sym.js';
import * as S from '../../lower/sym.js';
import { valDeps, type Val, type ValTable } from '../../lower/val.js';
import { cLiteral } from './literals.js';
import { C_ERRORS, C_OPS, CINT, CTYPE } from './spellings.js';

export class Scope {
  readonly lines: string[] = [];
  constructor(
    readonly parent: Scope | null,
    readonly vars: ReadonlySet<string>,
    /** Accumulator results available here; grows as reduction phases finish. */
    readonly accs: Set<number>,
  ) {}

  child(vars: readonly string[]): Scope {
    return new Scope(this, new Set([...this.vars, ...vars]), new Set(this.accs));
  }

  isWithin(other: Scope): boolean {
    for (let s: Scope | null = this; s; s = s.parent) if (s === other) return true;
    return false;
  }
}

interface Needs {
  readonly vars: ReadonlySet<string>;
  readonly accs: ReadonlySet<number>;
}

export class Emitter {
  private readonly declared = new Map<number, { name: string; scope: Scope }>();
  private readonly needsMemo = new Map<number, Needs>();

  constructor(
    private readonly vt: ValTable,
    /** The C name of kernel parameter i. */
    private readonly paramName: (i: number) => string,
    /** The C name of accumulator result i. */
    private readonly accName: (i: number) => string,
  ) {}

  /** C text of an accumulator result (default: the accName given to the constructor). */
  accText: ((i: number) => string) | null = null;
  /** Loop variables a reference to an accumulator result needs (results kept in arrays indexed by a loop). */
  accNeeds: readonly string[] = [];
  /** C text replacing an index expression (precomputed offset tables of GEMM packing), or null to print it. */
  symText: (x: Sym) => string | null = () => null;
  /**
   * Print a guarded load as an unconditional load at a valid index followed by a select (`p[c ? i : 0]`,
   * then `c ? v : 0`): GCC 12 vectorizes gathers, not masked gathers. Needs a non-empty buffer.
   */
  selectGuardedLoads = false;
  /** Element counts of the kernel's parameters (for selectGuardedLoads). */
  paramNumel: (i: number) => number = () => 0;

  needs(v: Val): Needs {
    const hit = this.needsMemo.get(v.id);
    if (hit) return hit;
    const vars = new Set<string>();
    const accs = new Set<number>();
    const condVars = (c: Cond): void => {
      for (const b of c ?? []) S.varsOf(b.x, vars);
    };
    switch (v.k) {
      case 'load':
        S.varsOf(v.index, vars);
        condVars(v.guard);
        break;
      case 'index':
        S.varsOf(v.index, vars);
        break;
      case 'rand':
        S.varsOf(v.counter, vars);
        break;
      case 'cond':
        condVars(v.cond);
        break;
      case 'op':
      case 'checkidx':
        condVars(v.guard);
        break;
      case 'acc':
        accs.add(v.acc);
        for (const x of this.accNeeds) vars.add(x);
        break;
      default:
        break;
    }
    for (const d of valDeps(v, this.vt)) {
      const n = this.needs(d);
      for (const x of n.vars) vars.add(x);
      for (const x of n.accs) accs.add(x);
    }
    const out = { vars, accs };
    this.needsMemo.set(v.id, out);
    return out;
  }

  /** The outermost ancestor of `s` (or `s`) where a value can be computed. */
  private home(v: Val, s: Scope): Scope {
    const n = this.needs(v);
    let h = s;
    for (let p = s.parent; p; p = p.parent) {
      if ([...n.vars].every((x) => p.vars.has(x)) && [...n.accs].every((x) => p.accs.has(x))) h = p;
      else break;
    }
    return h;
  }

  /** A C expression for `v` valid in scope `s`, declaring what it needs. */
  ref(v: Val, s: Scope): string {
    if (v.k === 'const') return cLiteral(v.value, v.dtype);
    if (v.k === 'acc') return this.accText ? this.accText(v.acc) : this.accName(v.acc);
    const d = this.declared.get(v.id);
    if (d && s.isWithin(d.scope)) return d.name;
    const h = this.home(v, s);
    const name = `t${v.id}`;
    const expr = this.expr(v, h);
    h.lines.push(`const ${v.k === 'randkey' ? 'uint32_t' : v.k === 'checkidx' ? 'long' : CTYPE[v.dtype]} ${name} = ${expr};`);
    this.declared.set(v.id, { name, scope: h });
    return name;
  }

  sym(x: Sym, s: Scope): string {
    const t = this.symText(x);
    if (t !== null) return t;
    return renderSym(x, (ref) => this.ref(this.vt.checked.get(ref)!, s));
  }

  /** A bound check as 0/1 without short-circuit (`&`: no branches, so guarded code if-converts and vectorizes). */
  cond(c: Cond, s: Scope): string {
    if (c === null || c.length === 0) return '1';
    return c
      .map((b) => {
        const x = this.sym(b.x, s);
        const [lo, hi] = S.range(b.x);
        const parts: string[] = [];
        if (lo < b.lo) parts.push(`(${x} >= ${b.lo})`);
        if (hi > b.hi) parts.push(`(${x} <= ${b.hi})`);
        return parts.join(' & ');
      })
      .join(' & ');
  }

  private expr(v: Val, s: Scope): string {
    switch (v.k) {
      case 'load': {
        if (v.guard !== null && this.selectGuardedLoads && this.paramNumel(v.param) > 0) {
          const c = this.cond(v.guard, s);
          s.lines.push(`const int g${v.id} = ${c};`, `const ${CTYPE[v.dtype]} u${v.id} = ${this.paramName(v.param)}[(${this.sym(v.index, s)}) & -g${v.id}];`);
          return `g${v.id} ? u${v.id} : (${CTYPE[v.dtype]})0`;
        }
        const at = `${this.paramName(v.param)}[${this.sym(v.index, s)}]`;
        return v.guard === null ? at : `(${this.cond(v.guard, s)}) ? ${at} : (${CTYPE[v.dtype]})0`;
      }
      case 'index':
        return `(${CTYPE[v.dtype]})(${this.sym(v.index, s)})`;
      case 'cond':
        return `(unsigned char)(${this.cond(v.cond, s)})`;
      case 'op': {
        const args = v.args.map((a) => this.ref(a, s));
        const spell = C_OPS[v.op];
        if (!spell) throw new Error(`internal: no C spelling for ${v.op}`);
        const src = v.args[v.op === 'where' ? 1 : 0]!.dtype;
        const e = C_ERRORS[v.op];
        if (e && CINT[src]) {
          const g = v.guard === null ? '' : `(${this.cond(v.guard, s)}) && `;
          s.lines.push(`err |= (${g}${e.cond(args)}) ? ${e.bit} : 0;`);
        }
        return spell(args, v.dtype, src);
      }
      case 'randkey':
        return `graft_randkey((uint32_t)${this.ref(v.s0, s)}, (uint32_t)${this.ref(v.s1, s)}, ${v.salt >>> 0}u)`;
      case 'rand': {
        const r = `graft_rand(${this.ref(v.key, s)}, (uint32_t)(${this.sym(v.counter, s)}))`;
        return v.dtype === 'float32' ? r : `(${CTYPE[v.dtype]})${r}`;
      }
      case 'checkidx': {
        const x = this.ref(v.x, s);
        const g = v.guard === null ? '' : `(${this.cond(v.guard, s)}) && `;
        // Compared as uint64_t: a negative index (int32 or int64) is then out of range too.
        s.lines.push(`err |= (${g}(uint64_t)${x} >= ${v.size}ull) ? 1 : 0;`);
        return `(uint64_t)${x} < ${v.size}ull ? (long)${x} : 0L`;
      }
      default:
        throw new Error(`internal: cannot declare a ${v.k} value`);
    }
  }
}

/** C text of an index expression (long arithmetic). `data` names checked gather indices. */
export function renderSym(x: Sym, data: (ref: number) => string): string {
  const parts: string[] = [];
  for (const [a, k] of x.terms) {
    let t: string;
    switch (a.t) {
      case 'var':
        t = a.name;
        break;
      case 'data':
        t = data(a.ref);
        break;
      // Index expressions use floor division (sym.ts); C's / and % truncate, which is the same only for a
      // non-negative dividend.
      case 'div':
        t = S.range(a.a)[0] >= 0 ? `(${renderSym(a.a, data)}) / ${a.d}` : `graft_floordiv(${renderSym(a.a, data)}, ${a.d}L)`;
        break;
      case 'mod':
        t = S.range(a.a)[0] >= 0 ? `(${renderSym(a.a, data)}) % ${a.d}` : `graft_floormod(${renderSym(a.a, data)}, ${a.d}L)`;
        break;
    }
    const term = a.t === 'div' || a.t === 'mod' ? `(${t})` : t;
    parts.push(k === 1 ? term : k === -1 ? `-${term}` : `${k}L*${term}`);
  }
  if (x.c !== 0 || parts.length === 0) parts.push(`${x.c}L`);
  return parts.join(' + ').replace(/\+ -/g, '- ');
}
