/**
 * Rebuilding a kernel's values with loop variables replaced by other index expressions (used to merge
 * loops). Every index expression is re-simplified on the way.
 */
import * as S from './sym.js';
import { ownIndexExprs, valArgs, walkVals, ValTable, type ReduceSpec, type Val } from './val.js';

export class Rebuilder {
  readonly vt = new ValTable();
  private readonly memo = new Map<number, Val>();
  constructor(
    private readonly old: ValTable,
    private readonly env: ReadonlyMap<string, S.Sym>,
  ) {}

  sym(s: S.Sym): S.Sym {
    return S.substitute(s, this.env);
  }

  cond(c: S.Cond): S.Cond {
    const r = S.substituteCond(c, this.env);
    if (r === 'false') throw new Error('internal: a guard became unsatisfiable when merging loops');
    return r;
  }

  val(v: Val): Val {
    const hit = this.memo.get(v.id);
    if (hit) return hit;
    const vt = this.vt;
    let out: Val;
    switch (v.k) {
      case 'const':
        out = vt.const(v.dtype, v.value);
        break;
      case 'load':
        this.checkedIn(v.index, v.guard);
        out = vt.load(v.dtype, v.param, this.sym(v.index), this.cond(v.guard));
        break;
      case 'index':
        this.checkedIn(v.index, null);
        out = vt.index(v.dtype, this.sym(v.index));
        break;
      case 'op':
        out = vt.op(v.op, v.dtype, v.args.map((a) => this.val(a)), this.cond(v.guard));
        break;
      case 'acc':
        out = vt.acc(v.dtype, v.acc);
        break;
      case 'randkey':
        out = vt.randkey(this.val(v.s0), this.val(v.s1), v.salt);
        break;
      case 'rand':
        out = vt.rand(v.dtype, this.val(v.key), this.sym(v.counter));
        break;
      case 'checkidx':
        out = vt.checkidx(this.val(v.x), v.size, this.cond(v.guard), v.ref);
        break;
      case 'cond':
        this.checkedIn(S.ZERO, v.cond);
        out = vt.cond(this.cond(v.cond));
        break;
    }
    this.memo.set(v.id, out);
    return out;
  }

  spec(r: ReduceSpec): ReduceSpec {
    return { ...r, value: this.val(r.value) };
  }

  /** Rebuild the checked indices an expression refers to first, so they keep their numbers. */
  private checkedIn(s: S.Sym, c: S.Cond): void {
    const refs = S.dataOf(s);
    for (const b of c ?? []) S.dataOf(b.x, refs);
    for (const r of refs) this.val(this.old.checked.get(r)!);
  }
}

/** Number of divisions and remainders in an index expression (a measure of how costly it is). */
export function divModCount(s: S.Sym): number {
  let n = 0;
  for (const [a] of s.terms) if (a.t === 'div' || a.t === 'mod') n += 1 + divModCount(a.a);
  return n;
}

/** Total divisions and remainders in all index expressions reachable from some values. */
export function kernelDivMods(roots: readonly Val[], extra: readonly S.Sym[]): number {
  let n = 0;
  for (const s of extra) n += divModCount(s);
  walkVals(roots, valArgs, (v) => {
    for (const s of ownIndexExprs(v)) n += divModCount(s);
  });
  return n;
}
