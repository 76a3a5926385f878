/**
 * The report page's style sheet and script (plain browser JavaScript, no build step: it runs as written).
 * The script reads the JSON data, and on a click: selects a kernel (highlights its cluster or box and its
 * table row, shows its statistics, its C source and, drawn with Graphviz in the page, its nodes) or a node
 * (its op, type, kernel and the script line that built it). Text is only ever set with `textContent`.
 */

export const PAGE_CSS = `
:root { --fg: #1d2733; --muted: #5b6773; --line: #d7dde3; --accent: #2f6fb3; --sel: #ffd24d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fafbfc; }
header { padding: 14px 24px; background: #1f2d3d; color: #fff; }
header h1 { margin: 0; font-size: 18px; font-weight: 600; }
header .script { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 400; }
header .args { font-family: ui-monospace, Menlo, Consolas, monospace; color: #b9c6d3; font-size: 14px; }
header .meta { margin: 4px 0 0; color: #b9c6d3; font-size: 12px; }
main { padding: 8px 24px 40px; }
h2 { font-size: 17px; margin: 22px 0 8px; }
h2 small { color: var(--muted); font-weight: 400; font-size: 12px; font-family: ui-monospace, Menlo, Consolas, monospace; }
h3 { font-size: 15px; margin: 16px 0 6px; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
table.facts th { text-align: left; font-weight: 400; color: var(--muted); padding: 2px 16px 2px 0; }
table.facts td { padding: 2px 0; }
section.program { border-top: 2px solid var(--line); margin-top: 18px; }
.facts, .realized, .collapsed { color: var(--muted); margin: 4px 0; }
.collapsed { color: #8a5a00; }
.error { background: #fff1f0; border: 1px solid #f3b8b3; border-radius: 6px; padding: 4px 16px 10px; margin-top: 16px; }
.error .message { font-size: 15px; }
.tabs button, button { font: inherit; font-size: 12px; border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
.tabs button.active { background: var(--accent); color: #fff; border-color: var(--accent); }
.graph { overflow: auto; max-height: 78vh; border: 1px solid var(--line); border-radius: 6px; background: #fff; margin: 8px 0; padding: 6px; }
.graph svg { display: block; }
.graph.fit svg, .subgraph.fit svg { max-width: 100%; max-height: 74vh; width: auto; height: auto; }
.zoom { float: right; }
.graph g.node, .graph g.cluster { cursor: pointer; }
.graph g.selected > polygon, .graph g.selected > path { stroke: #d48a00; stroke-width: 3px; }
.graph g.cluster.selected > polygon, .graph g.cluster.selected > path { fill: #fff7d6; }
.placeholder { color: var(--muted); }
.legend { display: flex; gap: 14px; color: var(--muted); font-size: 12px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 12px; height: 12px; border: 1px solid #888; border-radius: 3px; margin-right: 4px; vertical-align: -2px; }
.legend i.out { border-width: 2px; border-color: #000; }
table.kernels { border-collapse: collapse; width: 100%; font-size: 12px; background: #fff; }
table.kernels th, table.kernels td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: right; white-space: nowrap; }
table.kernels th:nth-child(-n+4), table.kernels td:nth-child(-n+4) { text-align: left; }
table.kernels td:nth-child(3) { white-space: normal; font-family: ui-monospace, Menlo, Consolas, monospace; }
table.kernels tbody tr { cursor: pointer; }
table.kernels tbody tr:hover { background: #f2f6fa; }
table.kernels tr.selected { background: #fff4cc; }
.detail { border: 1px solid var(--line); border-radius: 6px; background: #fff; padding: 8px 14px; margin: 10px 0; }
.detail h4 { margin: 4px 0 6px; font-size: 14px; }
.detail .subgraph { overflow: auto; max-height: 60vh; }
pre.source, pre.code, details.ir pre { background: #f5f7f9; border: 1px solid var(--line); border-radius: 4px; padding: 8px; overflow: auto; max-height: 60vh; }
pre.code .ln { display: inline-block; width: 3.5em; color: #98a2ad; user-select: none; }
pre.code .hit { background: #fff1a8; display: inline-block; width: 100%; }
.kind { display: inline-block; padding: 0 6px; border-radius: 3px; border: 1px solid #999; font-size: 11px; }
.empty { color: var(--muted); }
`;

export const PAGE_SCRIPT = String.raw`
'use strict';
(function () {
  var data = JSON.parse(document.getElementById('graft-data').textContent);
  var programs = {};
  data.programs.forEach(function (p) { programs[p.id] = p; });
  var COLORS = { forward: '#dbe9f6', backward: '#fde0c5', update: '#d6f0d6', input: '#ececec' };
  var KIND_TEXT = { forward: 'forward', backward: 'gradient (backward)', update: 'optimizer update', input: 'program input' };

  var vizReady = null;
  function viz() {
    if (!vizReady) vizReady = window.Viz.instance();
    return vizReady;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function typeText(n) { return ({ float32: 'f32', float64: 'f64', int32: 'i32', int64: 'i64', bool: 'bool' })[n.dtype] + '[' + n.shape.join(',') + ']'; }
  function fmtNs(ns) {
    if (!ns) return '-';
    if (ns < 1e3) return Math.round(ns) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 2 : 1) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }
  function fmtRate(x) { return !isFinite(x) || x === 0 ? '-' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0); }
  function siteText(s) { return s.file + ':' + s.line + ':' + s.column + (s.fn ? ' (in ' + s.fn + ')' : ''); }
  function codeBlock(s) {
    var pre = el('pre', 'code');
    s.code.forEach(function (line, i) {
      var n = s.codeStart + i;
      var row = el('span', n === s.line ? 'hit' : '');
      row.appendChild(el('span', 'ln', n));
      row.appendChild(document.createTextNode(line));
      pre.appendChild(row);
      if (i < s.code.length - 1) pre.appendChild(document.createTextNode('\n'));
    });
    return pre;
  }
  function facts(rows) {
    var t = el('table', 'facts');
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('th', '', r[0]));
      var td = el('td');
      if (r[1] instanceof Node) td.appendChild(r[1]); else td.textContent = String(r[1]);
      tr.appendChild(td);
      t.appendChild(tr);
    });
    return t;
  }
  function clearSelection(section) {
    section.querySelectorAll('.selected').forEach(function (e) { e.classList.remove('selected'); });
  }
  function mark(section, id) {
    section.querySelectorAll('[id="' + id + '"]').forEach(function (e) { e.classList.add('selected'); });
  }
  function drawInto(box, dot) {
    box.textContent = 'drawing…';
    return viz().then(function (v) {
      var svg = v.renderSVGElement(dot);
      box.textContent = '';
      box.appendChild(svg);
      return svg;
    }).catch(function (e) { box.textContent = 'could not draw: ' + e.message; });
  }
  function kernelLink(section, p, k) {
    var a = el('a', '', p.kernels[k].name);
    a.href = '#';
    a.addEventListener('click', function (e) { e.preventDefault(); selectKernel(section, p, k); });
    return a;
  }

  function selectKernel(section, p, k) {
    var kernel = p.kernels[k];
    clearSelection(section);
    mark(section, 'p' + p.id + '-k' + k);
    var row = section.querySelector('table.kernels tr[data-kernel="' + k + '"]');
    if (row) row.classList.add('selected');
    var d = section.querySelector('.detail');
    d.hidden = false;
    d.textContent = '';
    d.appendChild(el('h4', '', 'Kernel ' + kernel.name + ' · ' + kernel.kind + ' · ' + kernel.dtype + '[' + kernel.shape.join(',') + ']'));
    var s = kernel.stats;
    d.appendChild(facts([
      ['fused ops', kernel.ops.join(' ')],
      ['nodes', kernel.nodes.length + ' (stores ' + kernel.writes.length + ', reads ' + kernel.reads.length + ' buffers)'],
      ['FLOPs, bytes moved', kernel.flops + ' flops, ' + kernel.bytes + ' bytes'],
      ['calls, median time', s.calls + ', ' + fmtNs(s.medianNs)],
      ['GFLOP/s, GB/s', fmtRate(s.gflops) + ', ' + fmtRate(s.gbs)],
      ['roofline', s.roofline === null ? '-' : s.roofline.toFixed(1) + '% of what this machine allows'],
      ['C function', kernel.fn],
    ]));
    d.appendChild(el('h4', '', 'Source'));
    d.appendChild(el('pre', 'source', kernel.source));
    d.appendChild(el('h4', '', 'Nodes'));
    var box = el('div', 'subgraph');
    d.appendChild(box);
    if (kernel.dot) {
      drawInto(box, kernel.dot).then(function () { mark(section, 'p' + p.id + '-k' + k); });
    } else box.textContent = 'too many nodes to draw (' + kernel.nodes.length + ')';
    if (!section.querySelector('.graph:not([hidden]) [id="p' + p.id + '-k' + k + '"]')) d.scrollIntoView({ block: 'nearest' });
  }

  function selectNode(section, p, i) {
    var n = p.nodes[i];
    clearSelection(section);
    mark(section, 'p' + p.id + '-n' + i);
    var d = section.querySelector('.detail');
    d.hidden = false;
    d.textContent = '';
    if (!n) { d.appendChild(el('p', '', 'node ' + i + ': no details kept (graph too large)')); return; }
    d.appendChild(el('h4', '', 'Node: ' + n.label + ' → ' + typeText(n)));
    var kind = el('span', 'kind', KIND_TEXT[n.kind]);
    kind.style.background = COLORS[n.kind];
    var rows = [['kind', kind]];
    if (n.kernel >= 0) rows.push(['computed by', kernelLink(section, p, n.kernel)]);
    var ins = n.srcs.map(function (s, j) { return s < 0 ? n.consts[j] : (p.nodes[s] ? p.nodes[s].label + ' ' + typeText(p.nodes[s]) : '#' + s); });
    if (ins.length) rows.push(['inputs', ins.join(', ')]);
    if (n.output) rows.push(['result', 'a value the program returns']);
    var site = n.site >= 0 ? p.sites[n.site] : null;
    rows.push(['built at', site ? siteText(site) : 'unknown (sites are recorded under graft inspect)']);
    d.appendChild(facts(rows));
    if (site) d.appendChild(codeBlock(site));
  }

  document.querySelectorAll('section.program').forEach(function (section) {
    var p = programs[section.getAttribute('data-program')];
    section.querySelectorAll('.tabs button[data-view]').forEach(function (b) {
      b.addEventListener('click', function () {
        section.querySelectorAll('.tabs button[data-view]').forEach(function (x) { x.classList.toggle('active', x === b); });
        section.querySelectorAll('.graph').forEach(function (g) { g.hidden = g.getAttribute('data-view') !== b.getAttribute('data-view'); });
      });
    });
    var zoom = section.querySelector('.zoom');
    zoom.addEventListener('click', function () {
      var fit = !section.querySelector('.graph').classList.contains('fit');
      section.querySelectorAll('.graph').forEach(function (g) { g.classList.toggle('fit', fit); });
      zoom.textContent = fit ? 'actual size' : 'fit to the page';
    });
    var drawAll = section.querySelector('.draw-all');
    if (drawAll) drawAll.addEventListener('click', function () {
      drawInto(section.querySelector('.graph[data-view="nodes"]'), p.nodesDot);
    });
    section.addEventListener('click', function (e) {
      var t = e.target;
      if (t.closest('button.show-source') || t.closest('table.kernels tbody tr')) {
        var tr = t.closest('tr');
        selectKernel(section, p, Number(tr.getAttribute('data-kernel')));
        return;
      }
      var g = t.closest('g[id]');
      if (!g || !t.closest('.graph, .subgraph')) return;
      var m = /^p(\d+)-([nk])(\d+)$/.exec(g.id);
      if (!m) return;
      if (m[2] === 'k') selectKernel(section, p, Number(m[3]));
      else selectNode(section, p, Number(m[3]));
      e.stopPropagation();
    });
  });
})();
`;
