/**
 * The rows order of reduction kernels: for each row (outer loops), one pass over the inner loops per phase,
 * then the pass writing the outputs over the inner loops, then the outputs written per row. Rows are handed
 * to threads in chunks, dynamically: on a busy machine the OS may delay one thread for a whole time slice,
 * and with a static split the others would wait for its share at the end of the loop.
 *
 * Pipelined rows (kernels with two phases or more, that cannot fail): the first phase of the next row is
 * computed in the second phase's pass of the current row. Softmax's max of row r+1 streams from memory while
 * the exp of row r keeps the arithmetic units busy (that loop is bound by the latency of its dependency
 * chains, not by issue slots: the loads and max operations fit beside it); the separate pass reading each row
 * from memory is gone. 4096x4096 softmax on Zen 1: 40 -> 34 ms on one thread. Each chunk starts one row early:
 * that iteration computes only the first phase of the chunk's first row (its second phase runs on that row
 * with meaningless accumulators and stores nothing that is not overwritten), so every row's first phase is
 * computed by the same loop and results do not depend on where chunks start, that is on the thread count.
 */
import type { LoopKernel, LoopVar } from '../../lower/kernel.js';
import { Rebuilder } from '../../lower/rebuild.js';
import * as S from '../../lower/sym.js';
import { Emitter, type Scope } from './emit.js';
import { indent, nest, NO_UNROLL, omp, PARALLEL_MIN, prod, rowGroups, simd, type RenderOptions } from './nest.js';
import { decls, finish, fullPass, hasFull, reductionPass, uses, type Stores } from './passes.js';
import { CTYPE } from './spellings.js';
import { stashes, type Stash } from './stash.js';

/** Row chunks handed to each thread, about (results do not depend on it: a row is one thread's work). */
const CHUNKS_PER_THREAD = 8;
/** Rows of a chunk when rows are pipelined, at least (each chunk computes one row's first phase twice). */
const PIPELINED_CHUNK_MIN = 16;

export function renderRows(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, store: Stores, errClause: readonly string[]): void {
  const rows = prod(k.outer);
  const par = o.threads > 1 && rows > 1 && rows * prod(k.inner) * (k.phases.length + (hasFull(k.outs) ? 1 : 0)) >= PARALLEL_MIN;
  const kept = stashes(k);
  // (A stash of the first phase would have to be stored for the next row: not pipelined.)
  if (k.phases.length >= 2 && rows > 1 && errClause.length === 0 && k.vals.checked.size === 0 && !kept.some((st) => st.phase === 0)) {
    renderPipelined(k, o, top, em, store, kept, par);
    return;
  }
  const chunk = Math.max(1, Math.ceil(rows / (CHUNKS_PER_THREAD * o.threads)));
  nest(top, rowGroups(k.outer, par, o, [...errClause, `schedule(dynamic, ${chunk})`], false), (row) => {
    k.phases.forEach((phase, p) => {
      const codes = uses(phase, em);
      for (const c of codes) row.lines.push(...decls(c));
      reductionPass(row, o, k.inner, codes, errClause, { stashes: kept.filter((st) => st.phase === p), em });
      for (const c of codes) {
        row.lines.push(finish(c));
        row.accs.add(c.r.acc);
      }
    });
    finishRow(k, o, row, em, store, kept, errClause);
  });
}

/** The rest of a row after its reduction passes: the full pass, then the outputs written per row. */
function finishRow(k: LoopKernel, o: RenderOptions, row: Scope, em: Emitter, store: Stores, kept: readonly Stash[], errClause: readonly string[]): void {
  if (hasFull(k.outs)) {
    const last = k.inner.length - 1;
    fullPass(row, k.inner.map((l, j) => ({ loops: [l], pragma: j === last ? simd(o, [], errClause.length > 0) : undefined })), em, kept, store.full);
  }
  store.row(row);
}

/** C declarations of the row loop variables of linear row number `r` (the first loop outermost). */
function decode(loops: readonly LoopVar[], r: string, name: (l: LoopVar) => string): string[] {
  return loops.map((l, j) => {
    const below = prod(loops.slice(j + 1));
    const q = below === 1 ? r : `${r} / ${below}L`;
    return `const long ${name(l)} = ${j === 0 ? q : `(${q}) % ${l.extent}L`};`;
  });
}

function renderPipelined(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, store: Stores, kept: readonly Stash[], par: boolean): void {
  const rows = prod(k.outer);
  // One chunk on one thread: one row's first phase computed twice in all.
  const per = par ? Math.max(PIPELINED_CHUNK_MIN, Math.ceil(rows / (CHUNKS_PER_THREAD * o.threads))) : rows;
  const nch = Math.ceil(rows / per);
  const next = (l: LoopVar): string => `${l.name}_n`;
  // The first phase at the next row: the same values with the row loop variables renamed.
  const rb = new Rebuilder(k.vals, new Map(k.outer.map((l) => [l.name, S.symVar(next(l), l.extent)])));
  const emNext = new Emitter(rb.vt, (i) => `p${i}`, (i) => `acc${i}`, 'n');
  const ahead = uses(k.phases[0]!.map((r) => rb.spec(r)), emNext, 'b');
  const chunk = top.child(['c_', 'r_lo', 'r_hi']);
  chunk.lines.push(`const long r_lo = c_ * ${per}L;`, `const long r_hi = r_lo + ${per}L < ${rows}L ? r_lo + ${per}L : ${rows}L;`);
  for (const c of ahead) chunk.lines.push(`${CTYPE[c.r.dtype]} carry${c.r.acc} = 0;`);
  // Whether the chunk's first row has had its first phase: a flag rather than a test of r_, which GCC 12
  // splits the row loop on (-fsplit-loops), losing `omp simd` on the copies: the exp loop ran scalar, 4x slower.
  chunk.lines.push('int started_ = 0;');
  const row = chunk.child(['r_', 'rc_', 'rn_', 'was_', ...k.outer.map((l) => l.name), ...k.outer.map(next)]);
  row.lines.push(
    // The chunk's first row, also on the iteration before it; the next row, or this one on the last.
    'const long rc_ = started_ ? r_ : r_lo;',
    'const long rn_ = r_ + 1 < r_hi ? r_ + 1 : r_;',
    ...decode(k.outer, 'rc_', (l) => l.name),
    ...decode(k.outer, 'rn_', next),
  );
  for (const c of ahead) {
    row.lines.push(`const ${CTYPE[c.r.dtype]} acc${c.r.acc} = carry${c.r.acc};`);
    row.accs.add(c.r.acc);
  }
  const now = uses(k.phases[1]!, em);
  for (const c of [...now, ...ahead]) row.lines.push(...decls(c));
  reductionPass(row, o, k.inner, [...now, ...ahead], [], { stashes: kept.filter((st) => st.phase === 1), em });
  for (const c of now) {
    row.lines.push(finish(c));
    row.accs.add(c.r.acc);
  }
  for (const c of ahead) row.lines.push(`carry${c.r.acc} = ${c.code.result(c.at)};`);
  row.lines.push('const int was_ = started_;', 'started_ = 1;');
  // The rest of the row, except on the iteration that only computed the chunk's first row's first phase.
  const after = row.child([]);
  k.phases.slice(2).forEach((phase, i) => {
    const codes = uses(phase, em);
    for (const c of codes) after.lines.push(...decls(c));
    reductionPass(after, o, k.inner, codes, [], { stashes: kept.filter((st) => st.phase === i + 2), em });
    for (const c of codes) {
      after.lines.push(finish(c));
      after.accs.add(c.r.acc);
    }
  });
  finishRow(k, o, after, em, store, kept, []);
  row.lines.push('if (was_) {', ...indent(after.lines), '}');
  chunk.lines.push(`${NO_UNROLL}for (long r_ = r_lo - 1; r_ < r_hi; r_++) {`, ...indent(row.lines), '}');
  if (par) top.lines.push(omp(o, 'parallel for', ['schedule(dynamic, 1)']));
  // No `GCC unroll 1` on the chunk loop: on a loop of one iteration it made GCC 12 drop the vectorized copy
  // of the exp loop and keep the scalar one (3.4x slower).
  top.lines.push(`for (long c_ = 0; c_ < ${nch}; c_++) {`, ...indent(chunk.lines), '}');
}
