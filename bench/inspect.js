// Inspection costs (not run in CI): `npm run build && node bench/inspect.js`. Prints medians; asserts nothing.
//
//  1. A LeNet-5 training step (batch 64, Adam): step time without inspection, with programs observed, and
//     with node sites recorded too (what `graft inspect` does while the script runs).
//  2. Writing the report of that run (`graft inspect`'s work at exit): the program models are built while the
//     script runs; this is the layout of each program's views with Graphviz (WebAssembly), the per-kernel
//     DOT texts and the page. Also the layout of a LeNet step's full node graph, for comparison.
import * as torch from '../dist/index.js';
import { Inspector } from '../dist/inspect/recorder.js';
import { recordSites } from '../dist/inspect/sites.js';
import { buildReport } from '../dist/inspect/report.js';
import { reportHtml } from '../dist/inspect/report-html.js';
import { nodesDot, kernelsDot } from '../dist/inspect/dot.js';
import { loadViz, renderSvg, vizBrowserScript } from '../dist/inspect/viz.js';
import { machinePeaks } from '../dist/runtime/roofline.js';
import { threadCount } from '../dist/runtime/cpu.js';
import { getDevice } from '../dist/runtime/index.js';
import { LeNet } from './models.js';
import { median, time } from './util.js';

const { nn } = torch;
const F = nn.functional;


torch.manualSeed(0);
const net = new LeNet();
const opt = new torch.optim.Adam(net.parameters(), { lr: 1e-3 });
const x = torch.randn(64, 1, 28, 28).realize();
const y = torch.randint(0, 10, [64]).realize();
function step() {
  opt.zeroGrad();
  const loss = F.crossEntropy(net.call(x), y);
  loss.backward();
  opt.step();
  return loss.item();
}

console.log('warming up (compiles the step programs)...');
for (let i = 0; i < 3; i++) step();
const plain = time(step, 10, 0);
const inspector = new Inspector().install();
const observed = time(step, 10, 0);
recordSites(true);
const sited = time(step, 10, 0);
// The programs again from scratch while recording (the cache forgotten: an inspector sees the programs
// planned while it is installed), so the report has every program of the first steps, with sites.
getDevice('cpu').clearPrograms();
const inspector2 = new Inspector().install();
torch.manualSeed(1);
const net2 = new LeNet();
const opt2 = new torch.optim.Adam(net2.parameters(), { lr: 1e-3 });
for (let i = 0; i < 3; i++) {
  opt2.zeroGrad();
  const loss = F.crossEntropy(net2.call(x), y);
  loss.backward();
  opt2.step();
  loss.item();
}
recordSites(false);
inspector2.uninstall();
inspector.uninstall();

console.log('\nLeNet-5 step (batch 64, Adam), median of 10');
console.log(`  plain                         ${plain.toFixed(2)} ms`);
console.log(`  programs observed             ${observed.toFixed(2)} ms`);
console.log(`  observed + node sites         ${sited.toFixed(2)} ms`);

let t0 = performance.now();
await loadViz();
const vizMs = performance.now() - t0;
const peaks = machinePeaks(threadCount());
const biggest = inspector2.programs.reduce((a, b) => (b.graph.nodes.length > a.graph.nodes.length ? b : a));
const layout = (dot) => {
  const ts = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    renderSvg(dot);
    ts.push(performance.now() - t);
  }
  return median(ts);
};
t0 = performance.now();
const { data, svgs } = buildReport(inspector2, { script: 'lenet', args: [], startedAt: new Date(), wallMs: 1000, peaks, error: null });
const html = reportHtml(data, svgs, vizBrowserScript());
const reportMs = performance.now() - t0;

console.log(`\nReport of that run: ${inspector2.programs.length} programs, the step ${biggest.graph.nodes.length} nodes in ${biggest.graph.kernels.length} kernels`);
console.log(`  load Graphviz (once)          ${vizMs.toFixed(0)} ms`);
console.log(`  build and write the page      ${reportMs.toFixed(0)} ms (${(html.length / 1e6).toFixed(1)} MB)`);
console.log(`  lay out the step, collapsed   ${layout(kernelsDot(biggest.graph)).toFixed(0)} ms`);
console.log(`  lay out the step, every node  ${layout(nodesDot(biggest.graph)).toFixed(0)} ms`);
