/**
 * The report page: one self-contained HTML file (styles, data, Graphviz for drawing on demand and the page's
 * script all inline), so it opens offline with a double click. Every text that comes from the user (script
 * path, arguments, error messages, source lines) is escaped here or set with `textContent` by the page's
 * script; the data travels as JSON in a `<script type="application/json">` with `<` escaped.
 */
import { PAGE_CSS, PAGE_SCRIPT } from './report-page.js';
import { bytes, count, duration, ms, percent, rate } from './format.js';
import { KIND_COLORS } from './dot.js';
import type { ProgramSvgs, ProgramView, ReportData } from './report.js';
import type { GraphSite } from './model.js';

/** Text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a `<script>` element (no `</script>`, no `<!--`, no line separators JS would choke on). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const where = (s: GraphSite): string => `${s.file}:${s.line}:${s.column}`;

function summary(d: ReportData): string {
  const kernelShare = d.wallMs > 0 ? (100 * d.kernelMs) / d.wallMs : 0;
  const rows: [string, string][] = [
    ['wall time of the script', ms(d.wallMs)],
    ['in realizations (planning, compiling, running programs)', `${ms(d.realizeMs)}`],
    ['in kernels', `${ms(d.kernelMs)} (${kernelShare.toFixed(1)}% of the wall time)`],
    ['outside kernels (JavaScript, graph building, planning, compiling)', ms(Math.max(0, d.wallMs - d.kernelMs))],
    ['distinct programs', String(d.programs.length)],
  ];
  const peaks = d.peaks
    ? `copy ${rate(d.peaks.copyGBs)} GB/s · FMA ${rate(d.peaks.fma32GFlops)} GFLOP/s (float32), ${rate(d.peaks.fma64GFlops)} GFLOP/s (float64) · ${d.peaks.threads} thread${d.peaks.threads === 1 ? '' : 's'}`
    : 'not measured';
  rows.push(["this machine's roofline", peaks]);
  return `<section id="summary"><h2>Totals</h2><table class="facts">${rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')}</table></section>`;
}

function codeBlock(s: GraphSite): string {
  const lines = s.code.map((text, i) => {
    const n = s.codeStart + i;
    return `<span class="${n === s.line ? 'hit' : ''}"><span class="ln">${n}</span>${escapeHtml(text)}</span>`;
  });
  return lines.length ? `<pre class="code">${lines.join('\n')}</pre>` : '';
}

function errorSection(d: ReportData): string {
  const e = d.error;
  if (!e) return '';
  const at = e.site ? `<p>at <code>${escapeHtml(where(e.site))}</code></p>${codeBlock(e.site)}` : '';
  return `<section id="error" class="error"><h2>The script failed</h2><p class="message"><b>${escapeHtml(e.name)}</b>: ${escapeHtml(
    e.message,
  )}</p>${at}<details><summary>stack</summary><pre>${escapeHtml(e.stack)}</pre></details><p>What the script realized before the error is below.</p></section>`;
}

function programNav(d: ReportData): string {
  if (d.programs.length === 0) return '<p class="empty">The script realized no program on the cpu device.</p>';
  return `<nav id="programs"><h2>Programs</h2><ol>${d.programs
    .map(
      (p) =>
        `<li><a href="#program-${p.id}">Program ${p.id}</a>: ${p.kernels.length} kernel${p.kernels.length === 1 ? '' : 's'}, ${count(
          p.nodeCount,
        )} nodes, ran ${p.runs}×, median ${escapeHtml(ms(p.medianWallMs))} per run</li>`,
    )
    .join('')}</ol></nav>`;
}

function legend(): string {
  const item = (k: keyof typeof KIND_COLORS, text: string): string => `<span><i style="background:${KIND_COLORS[k]}"></i>${text}</span>`;
  return `<div class="legend">${item('forward', 'forward')}${item('backward', 'gradient (backward)')}${item('update', 'optimizer update')}${item(
    'input',
    'input',
  )}<span><i class="out"></i>program result</span></div>`;
}

function kernelTable(p: ProgramView): string {
  const head = ['kernel', 'kind', 'fused ops', 'dtype[shape]', 'FLOPs', 'bytes', 'calls', 'median', 'GFLOP/s', 'GB/s', 'roofline', 'source'];
  const rows = p.kernels.map((k, i) => {
    const s = k.stats;
    const ops = k.ops.length > 12 ? `${k.ops.slice(0, 12).join(' ')} … (${k.ops.length})` : k.ops.join(' ');
    const cells = [
      k.name,
      k.kind,
      ops,
      `${k.dtype}[${k.shape.join(',')}]`,
      count(k.flops),
      bytes(k.bytes),
      String(s.calls),
      s.calls ? duration(s.medianNs) : '-',
      s.calls ? rate(s.gflops) : '-',
      s.calls ? rate(s.gbs) : '-',
      percent(s.roofline),
    ];
    return `<tr data-kernel="${i}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}<td><button class="show-source" data-kernel="${i}">C</button></td></tr>`;
  });
  return `<table class="kernels"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function programSection(p: ProgramView, svg: ProgramSvgs): string {
  const cacheNote =
    p.loadMs > 0 || p.compiled || p.diskHits
      ? `compiled/loaded in ${ms(p.loadMs)} (C compiler runs: ${p.compiled}, disk cache hits: ${p.diskHits}${p.libraryHits ? `, already loaded: ${p.libraryHits}` : ''})`
      : 'no code to compile';
  const facts = [
    `ran ${p.runs}× (${p.hits} from the program cache)`,
    `planned in ${ms(p.planMs)}`,
    cacheNote,
    `median run ${ms(p.medianWallMs)}, of which kernels ${ms(p.medianKernelMs)}`,
    `${count(p.builtNodes)} nodes built, ${count(p.nodeCount)} drawn, ${p.kernels.length} kernels`,
  ];
  const at = p.realizedAt ? `<p class="realized">first realized at <code>${escapeHtml(where(p.realizedAt))}</code></p>` : '';
  const nodesView = svg.nodes
    ? svg.nodes
    : `<p class="placeholder">${
        p.nodesDot ? `<button class="draw-all">draw all ${p.nodeCount} nodes</button> (laid out in the page: may take a while)` : 'too many nodes to draw them all'
      }</p>`;
  const kernelsView = svg.kernels ?? '<p class="placeholder">too many kernels to draw: see the table</p>';
  return `<section class="program" id="program-${p.id}" data-program="${p.id}">
<h2>Program ${p.id} <small>key ${escapeHtml(p.key)}</small></h2>
<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>${at}
${p.collapsed ? `<p class="collapsed">${escapeHtml(p.collapsed)}</p>` : ''}
<div class="tabs"><button data-view="${svg.nodes ? 'nodes' : 'kernels'}" class="active">${svg.nodes ? 'all nodes, by kernel' : 'kernels'}</button><button data-view="${
    svg.nodes ? 'kernels' : 'nodes'
  }">${svg.nodes ? 'kernels' : 'all nodes'}</button><button class="zoom">actual size</button></div>
<div class="graph fit" data-view="nodes"${svg.nodes ? '' : ' hidden'}>${nodesView}</div>
<div class="graph fit" data-view="kernels"${svg.nodes ? ' hidden' : ''}>${kernelsView}</div>
${legend()}
<h3>Kernels</h3>
${kernelTable(p)}
<div class="detail" hidden></div>
<details class="ir"><summary>IR as built (${p.textLines} lines${p.textLines > p.text.split('\n').length ? ', first lines shown' : ''})</summary><pre>${escapeHtml(p.text)}</pre></details>
</section>`;
}

/** The page. `vizScript` is Graphviz's browser build (drawing kernels on demand). */
export function reportHtml(data: ReportData, svgs: readonly ProgramSvgs[], vizScript: string): string {
  const title = `graft inspect: ${data.script}`;
  const args = data.args.length ? ` <span class="args">${escapeHtml(data.args.join(' '))}</span>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
</head>
<body>
<header><h1>graft inspect <span class="script">${escapeHtml(data.script)}</span>${args}</h1>
<p class="meta">started ${escapeHtml(data.startedAt)} · Node.js ${escapeHtml(data.node)}</p></header>
<main>
${errorSection(data)}
${summary(data)}
${programNav(data)}
${data.programs.map((p, i) => programSection(p, svgs[i]!)).join('\n')}
</main>
<script type="application/json" id="graft-data">${scriptJson(data)}</script>
<script>${vizScript}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
