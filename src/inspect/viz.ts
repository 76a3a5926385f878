/**
 * Graphviz compiled to WebAssembly (`@viz-js/viz`, MIT; it contains Graphviz, EPL-1.0, and Expat, MIT): the
 * wasm is inside the package's JavaScript, so layout needs no system Graphviz and no network. Loaded on first
 * use (about 150 ms); after `loadViz()` has resolved, `renderSvg` is synchronous, so a report can be written
 * from an exit handler.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GraftError } from '../ir/index.js';

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;

let viz: Viz | null = null;
let loading: Promise<Viz> | null = null;

/** Load Graphviz (once). */
export function loadViz(): Promise<Viz> {
  if (viz) return Promise.resolve(viz);
  loading ??= import('@viz-js/viz').then(async (m) => (viz = await m.instance()));
  return loading;
}

/** A layout that failed (Graphviz's own messages). */
export class LayoutError extends GraftError {}

/** SVG of a DOT graph. Needs `loadViz()` to have resolved. */
export function renderSvg(dot: string): string {
  if (!viz) throw new Error('internal: renderSvg before loadViz');
  const r = viz.render(dot, { format: 'svg' });
  if (r.status !== 'success') throw new LayoutError(`Graphviz could not lay out the graph: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.output;
}

/** The browser build of Graphviz (defines `Viz` globally), for pages that lay graphs out on demand. */
export function vizBrowserScript(): string {
  // The package exports only its entry points: the browser build sits beside the CommonJS one.
  const cjs = createRequire(import.meta.url).resolve('@viz-js/viz');
  return readFileSync(join(dirname(cjs), 'viz-global.js'), 'utf8');
}
