/**
 * `graft ir`'s output: for each program the script realized, its IR as built (jaxpr-like text) and a table
 * of its kernels. Colours only on a terminal (and not under NO_COLOR); `timings: false` leaves out the
 * measured columns, so the output is the same on every run and every machine.
 */
import { relative } from 'node:path';
import type { Peaks } from '../runtime/roofline.js';
import { rooflinePercent } from '../runtime/roofline.js';
import { bytes, count, duration, percent, rate } from './format.js';
import { typeText } from './labels.js';
import type { GraphSite } from './model.js';
import { median, type ProgramRecord } from './recorder.js';

export interface TextOptions {
  readonly color: boolean;
  readonly timings: boolean;
  readonly peaks: Peaks | null;
  /** Paths are shown relative to this folder. */
  readonly cwd: string;
}

const paint = (on: boolean, code: string) => (s: string): string => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Whether a stream should get colours: a terminal, and NO_COLOR unset. */
export function wantsColor(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && (process.env.NO_COLOR ?? '') === '';
}

function table(rows: readonly (readonly string[])[], rightFrom: number): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : c >= rightFrom && c < r.length - 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

const siteText = (s: GraphSite, cwd: string): string => `${relative(cwd, s.file) || s.file}:${s.line}`;

/** One program: header, IR text, kernel table. */
export function programText(r: ProgramRecord, o: TextOptions): string {
  const bold = paint(o.color, '1');
  const cyan = paint(o.color, '36');
  const dim = paint(o.color, '2');
  const g = r.graph;
  const head = [`Program ${r.id}`, `ran ${r.runs}×`, `${g.kernels.length} kernel${g.kernels.length === 1 ? '' : 's'}`, `${g.builtNodes} nodes`];
  if (r.realizedAt) head.push(`first realized at ${siteText(r.realizedAt, o.cwd)}`);
  const ir = r.text
    .split('\n')
    .map((line) => line.replace(/^(\s+\S+ = )(\S+)/, (_m, lhs: string, op: string) => lhs + cyan(op)));
  if (r.textLines > ir.length) ir.push(dim(`    ... ${r.textLines - ir.length} more lines`));
  const header = ['kernel', 'kind', 'type', 'FLOPs', 'bytes'];
  if (o.timings) header.push('median', 'GFLOP/s', 'GB/s', 'roofline');
  header.push('fused ops');
  const rows = g.kernels.map((k, i) => {
    const row = [k.name, k.kind, typeText(k.dtype, k.shape), count(k.flops), bytes(k.bytes)];
    if (o.timings) {
      const ns = median(r.kernelNs[i] ?? []);
      const pct = o.peaks && ns > 0 ? rooflinePercent(k, ns, o.peaks) : null;
      row.push(ns > 0 ? duration(ns) : '-', ns > 0 ? rate(k.flops / ns) : '-', ns > 0 ? rate(k.bytes / ns) : '-', percent(pct));
    }
    row.push(k.ops.length > 16 ? `${k.ops.slice(0, 16).join(' ')} ... (${k.ops.length} ops)` : k.ops.join(' '));
    return row;
  });
  const lines = table([header, ...rows], 3);
  return [
    bold(head.join(' · ')),
    ...ir,
    '',
    bold(lines[0]!),
    ...lines.slice(1).map((l) => l.replace(/^(k\S*)/, (name) => cyan(name))),
  ].join('\n');
}

/** Every program, and a closing line with the totals. */
export function inspectionText(programs: readonly ProgramRecord[], o: TextOptions, totals: { wallMs: number; kernelMs: number } | null): string {
  const parts = programs.map((r) => programText(r, o));
  if (programs.length === 0) parts.push('graft ir: the script realized no program on the cpu device');
  if (totals && o.timings) {
    const share = totals.wallMs > 0 ? (100 * totals.kernelMs) / totals.wallMs : 0;
    parts.push(paint(o.color, '2')(`wall time ${duration(totals.wallMs * 1e6)}, in kernels ${duration(totals.kernelMs * 1e6)} (${share.toFixed(1)}%)`));
  }
  return parts.join('\n\n') + '\n';
}
