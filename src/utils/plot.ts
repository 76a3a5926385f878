/**
 * Line charts as standalone SVG files (loss and accuracy curves of a training run). No dependencies: the
 * SVG is a few paths and labels. Text is escaped, since series names come from the user.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { checkPath, fileError, writeFileAtomic } from '../io/files.js';
import { custom, defineOptions, describeValue, str } from '../tensor/options.js';
import { ArgumentError } from '../ir/index.js';

const numbers = custom<readonly number[]>('an array of numbers', (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'));
const size = custom<number>('a positive number', (v) => typeof v === 'number' && v > 0 && Number.isFinite(v));
const CHART_OPTIONS = defineOptions('lineChart', {
  title: str.optional(),
  xLabel: str.optional(),
  yLabel: str.optional(),
  series: z.array(z.strictObject({ name: str, y: numbers, x: numbers.optional(), color: str.optional() })),
  width: size.optional(),
  height: size.optional(),
});

export interface Series {
  name: string;
  /** y values; x is the index unless `x` is given. */
  y: readonly number[];
  x?: readonly number[];
  color?: string;
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly Series[];
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

/** One chart as an SVG document. */
export function lineChart(o: ChartOptions): string {
  CHART_OPTIONS.parse(o);
  const W = o.width ?? 480;
  const H = o.height ?? 300;
  const m = { l: 56, r: 16, t: o.title ? 28 : 12, b: 40 };
  const pts = o.series.flatMap((s) => s.y.map((y, i) => [s.x?.[i] ?? i, y] as const)).filter(([, y]) => Number.isFinite(y));
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  let [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  if (x0 === x1) x1 = x0 + 1;
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (o.title) parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(o.title)}</text>`);
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of ticks(x0, x1)) parts.push(`<text x="${px(t).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle">${fmt(t)}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`);
  if (o.xLabel) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel) parts.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const d = s.y
      .map((y, i) => [s.x?.[i] ?? i, y] as const)
      .filter(([, y]) => Number.isFinite(y))
      .map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${esc(color)}" stroke-width="1.5"/>`);
    parts.push(`<text x="${W - m.r - 6}" y="${m.t + 14 + 14 * k}" text-anchor="end" fill="${esc(color)}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Several charts side by side in one SVG document. */
export function chartRow(charts: readonly ChartOptions[]): string {
  if (!Array.isArray(charts)) throw new ArgumentError(`chartRow(): expected an array of charts, not ${describeValue(charts)}`);
  const docs = charts.map((c) => lineChart(c));
  const widths = charts.map((c) => c.width ?? 480);
  const H = Math.max(...charts.map((c) => c.height ?? 300));
  const W = widths.reduce((a, b) => a + b, 0);
  let x = 0;
  const inner = docs.map((d, i) => {
    const g = `<g transform="translate(${x} 0)">${d.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '')}</g>`;
    x += widths[i]!;
    return g;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">\n${inner.join('\n')}\n</svg>\n`;
}

/** Write an SVG (or any text) file atomically (see io/files.ts), making its folder if needed. */
export function saveText(path: string, text: string): void {
  checkPath('saveText', path);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw fileError('saveText', 'write', path, e);
  }
  writeFileAtomic('saveText', path, [new TextEncoder().encode(String(text))]);
}
