/**
 * C for loop kernels with reductions. Three loop orders, chosen by shape and memory access:
 *
 * - rows (the default, rows.ts): for each row, one pass over the inner (reduced) loops per phase, the
 *   innermost carrying `omp simd reduction(...)`; rows run in parallel when the kernel is big enough.
 * - split: a single row of at least SPLIT_MIN elements (a full `sum()`) is cut into fixed chunks reduced in
 *   parallel, partials combined in chunk order — the result does not depend on the thread count.
 * - columns: when the loads are unit-stride along the last row loop but not along the reduced loops (a sum
 *   over axis 0: bias gradients), each block of COLUMNS adjacent rows keeps an array of accumulators and
 *   the reduced loops stream over contiguous memory, vectorized across the block.
 *
 * The passes themselves (reductions, outputs over the inner loops) are passes.ts.
 */
import type { LoopKernel, LoopVar } from '../../lower/kernel.js';
import { loadIndices, unitStride } from './access.js';
import { accCode, type At } from './accumulators.js';
import type { Emitter, Scope } from './emit.js';
import { indent, minEnd, nest, NO_UNROLL, omp, PARALLEL_MIN, prod, simd, type Group, type RenderOptions } from './nest.js';
import { decls, finish, fullPass, hasFull, reductionPass, uses, type Stores } from './passes.js';
import { renderRows } from './rows.js';
import { CTYPE } from './spellings.js';
import { stashes } from './stash.js';

export type { Stores } from './passes.js';

/** Reduction length from which a single-row reduction is computed in chunks (in parallel). */
export const SPLIT_MIN = 1 << 15;
/** Elements per chunk of a split reduction (about). */
const CHUNK = 1 << 16;
/** Adjacent rows reduced together by the column order. */
const COLUMNS = 64;

export function renderReduce(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, store: Stores, errClause: readonly string[]): void {
  if (k.outer.length === 0 && prod(k.inner) >= SPLIT_MIN) return renderSplit(k, o, top, em, store, errClause);
  if (columnOrder(k)) return renderColumns(k, o, top, em, store.row, errClause);
  renderRows(k, o, top, em, store, errClause);
}

/** A single-row reduction: each phase in fixed chunks of the first inner loop, partials combined in order. */
function renderSplit(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, store: Stores, errClause: readonly string[]): void {
  const [first, ...rest] = k.inner as [LoopVar, ...LoopVar[]];
  const per = Math.max(1, Math.ceil(CHUNK / prod(rest)));
  const nch = Math.ceil(first.extent / per);
  const kept = stashes(k);
  k.phases.forEach((phase, p) => {
    const codes = uses(phase, em);
    for (const c of codes) for (const st of c.code.states) top.lines.push(`${st.ctype} ${c.at(st.suffix)}_part[${nch}];`);
    const chunk = top.child(['c_']);
    for (const c of codes) chunk.lines.push(...decls(c));
    const range = { from: `c_ * ${per}L`, to: minEnd(`c_ * ${per}L`, per, `${first.extent}L`) };
    reductionPass(chunk, o, [first, ...rest], codes, errClause, { stashes: kept.filter((st) => st.phase === p), em }, range);
    for (const c of codes) for (const st of c.code.states) chunk.lines.push(`${c.at(st.suffix)}_part[c_] = ${c.at(st.suffix)};`);
    if (o.threads > 1) top.lines.push(omp(o, 'parallel for', errClause));
    top.lines.push(`for (long c_ = 0; c_ < ${nch}; c_++) {`, ...indent(chunk.lines), '}');
    for (const c of codes) top.lines.push(...decls(c));
    const combine: string[] = [];
    for (const c of codes) {
      const part: At = (sfx) => `${c.at(sfx)}_part[c_]`;
      combine.push(...c.code.combine(c.at, part));
    }
    top.lines.push(`for (long c_ = 0; c_ < ${nch}; c_++) {`, ...indent(combine), '}');
    for (const c of codes) {
      top.lines.push(finish(c));
      top.accs.add(c.r.acc);
    }
  });
  if (hasFull(k.outs)) {
    const par = o.threads > 1 && prod(k.inner) >= PARALLEL_MIN;
    const last = k.inner.length - 1;
    const groups = k.inner.map((l, j) => {
      const vec = j === last ? simd(o, [], errClause.length > 0) : undefined;
      // One loop: `parallel for simd`; several: threads over the first, simd on the last.
      const pragma = j === 0 && par ? omp(o, vec && last === 0 ? 'parallel for simd' : 'parallel for', errClause) : vec;
      return { loops: [l], pragma };
    });
    fullPass(top, groups, em, kept, store.full);
  }
  store.row(top);
}

/** Reductions over at most this many elements per row (pooling windows) may use the column order. */
const SMALL_WINDOW = 32;

/** Whether the column order applies (see the file comment). */
function columnOrder(k: LoopKernel): boolean {
  if (hasFull(k.outs) || k.outer.length === 0 || k.inner.length === 0) return false;
  const col = k.outer[k.outer.length - 1]!;
  if (col.extent < 8) return false;
  // Tiny reductions (a pooling window per row): vectorized across adjacent rows, whatever the strides.
  if (prod(k.inner) <= SMALL_WINDOW) return true;
  if (k.phases.length !== 1 || col.extent < 16) return false;
  const loads = loadIndices(k.phases[0]!.map((r) => r.value), k.vals);
  return unitStride(loads, col.name) && !k.inner.some((l) => unitStride(loads, l.name));
}

/**
 * Blocks of COLUMNS adjacent rows (along the last row loop) each keep arrays of accumulators; each phase
 * loops over the reduced elements with the block's rows innermost (vectorized across rows), then turns its
 * accumulators into an array of results that later phases and the outputs read per row.
 */
function renderColumns(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, store: (s: Scope) => void, errClause: readonly string[]): void {
  const rowsOuter = k.outer.slice(0, -1);
  const col = k.outer[k.outer.length - 1]!;
  const work = prod(k.outer) * prod(k.inner) * k.phases.length;
  const par = o.threads > 1 && work >= PARALLEL_MIN;
  const parRows = par && prod(rowsOuter) >= 2 * o.threads;
  const j = `${col.name} - ${col.name}_b`;
  const phases = k.phases.map((ph) => ph.map((r) => ({ r, code: accCode(r), at: ((sfx: string) => `a${r.acc}${sfx}[${j}]`) as At })));
  const all = phases.flat();
  // Results of finished phases are arrays over the block, read at the current row.
  em.accText = (i) => `acc${i}[${j}]`;
  em.accNeeds = [col.name];
  const groups: Group[] = [];
  if (rowsOuter.length) groups.push({ loops: rowsOuter, pragma: parRows ? omp(o, 'parallel for', [...(rowsOuter.length > 1 ? [`collapse(${rowsOuter.length})`] : []), ...errClause]) : undefined });
  const end = minEnd(`${col.name}_b`, COLUMNS, String(col.extent));
  const cols = (body: string[]): string[] => [`${NO_UNROLL}for (long ${col.name} = ${col.name}_b; ${col.name} < (${end}); ${col.name}++) {`, ...indent(body), '}'];
  groups.push({
    loops: [],
    block: { name: `${col.name}_b`, step: COLUMNS },
    to: String(col.extent),
    pragma: par && !parRows ? omp(o, 'parallel for', errClause) : undefined,
    open: all.flatMap((c) => [...c.code.states.map((st) => `${st.ctype} a${c.r.acc}${st.suffix}[${COLUMNS}];`), `${CTYPE[c.r.dtype]} acc${c.r.acc}[${COLUMNS}];`]),
  });
  nest(top, groups, (block) => {
    for (const codes of phases) {
      block.lines.push(...cols(codes.flatMap((c) => c.code.states.map((st) => `${c.at(st.suffix)} = ${st.init};`))));
      // The reduced loops, then the block's rows innermost (vectorized across the block).
      const inner: Group[] = [...k.inner.map((l) => ({ loops: [l] })), { loops: [col], from: `${col.name}_b`, to: end, pragma: simd(o, [], errClause.length > 0) }];
      nest(block, inner, (s) => {
        for (const c of codes) s.lines.push(...c.code.update(c.at, em.ref(c.r.value, s)));
      });
      block.lines.push(...cols(codes.map((c) => `acc${c.r.acc}[${j}] = ${c.code.result(c.at)};`)));
      for (const c of codes) block.accs.add(c.r.acc);
    }
    // Then the block's results: one output per row.
    nest(block, [{ loops: [col], from: `${col.name}_b`, to: end }], (s) => store(s));
  });
}
