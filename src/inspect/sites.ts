/**
 * Where each IR node was built in the user's script: recorded only while inspecting (`graft inspect`,
 * `graft ir`, `torch.ir.recordSites(true)`), since a stack capture costs microseconds per tensor op.
 *
 * The tensor layer calls `siteHook.note(node)` whenever a tensor gets a value (a new tensor, an in-place
 * update) — one null check when off. The note walks back from the node over the nodes nobody has noted yet
 * (the whole chain one op built: broadcasts, casts, the gradient graph a backward made) and gives them the
 * current site: the first stack frame outside graft. The graft frames below it tell what kind of work it
 * was: inside autograd (backward, torch.func) the nodes are gradient nodes; inside an optimizer, updates.
 *
 * Frames are kept raw (JavaScript file, line, column) and mapped to the TypeScript source only when a
 * report shows them (`resolveSite`), through the source maps Node keeps for scripts run by `graft`.
 */
import { readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Node } from '../ir/index.js';

/** What a node's op was part of: the forward computation, a gradient (autograd), an optimizer update. */
export type SiteKind = 'forward' | 'backward' | 'update';

/** A place in the user's code, as the JavaScript engine saw it (before source maps). */
export interface RawSite {
  /** A file path or URL. */
  readonly file: string;
  /** 1-based line and column in the running JavaScript. */
  readonly line: number;
  readonly column: number;
  /** The function the call was made from ('' at the top level of a module). */
  readonly fn: string;
  readonly kind: SiteKind;
  /** Already in source positions (placed by the host's stack formatter). */
  readonly mapped: boolean;
}

/** The hook the tensor layer calls (src/tensor/tensor.ts); null when sites are not recorded. */
export const siteHook: { note: ((n: Node) => void) | null } = { note: null };

const sites = new WeakMap<Node, RawSite>();
const interned = new Map<string, RawSite>();

/** This package's root (src/inspect and dist/inspect both sit two levels below it). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OWN_DIRS = ['src/', 'dist/'].map((d) => PACKAGE_ROOT + d);

const pathOf = (file: string): string => (file.startsWith('file://') ? fileURLToPath(file) : file);
const isGraft = (path: string): boolean => OWN_DIRS.some((d) => path.startsWith(d));
const isInternal = (file: string): boolean => file.startsWith('node:') || !file.includes('/');

function kindOf(graftPaths: readonly string[]): SiteKind {
  for (const p of graftPaths) {
    if (/[/\\]tensor[/\\](autograd|func)[^/\\]*\.[jt]s$/.test(p)) return 'backward';
    if (/[/\\]optim[/\\]/.test(p)) return 'update';
  }
  return 'forward';
}

/**
 * A frame placed by the stack formatter the host installed (a test runner maps its transformed code to the
 * source that way), or null where there is none: Node's own source maps are read in `resolveSite`.
 */
function mappedByHost(prepare: typeof Error.prepareStackTrace, f: NodeJS.CallSite, kind: SiteKind): RawSite | null {
  if (typeof prepare !== 'function') return null;
  let text: unknown;
  try {
    text = prepare(new Error(), [f]);
  } catch {
    return null;
  }
  if (typeof text !== 'string') return null;
  const m = /\n\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/.exec(text);
  if (!m) return null;
  return { file: m[1]!, line: Number(m[2]), column: Number(m[3]), fn: f.getFunctionName() ?? '', kind, mapped: true };
}

/** The current site: the innermost frame outside graft and Node's internals, or null (graft called itself). */
function captureSite(): RawSite | null {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_e, frames) => frames;
  Error.stackTraceLimit = 64;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, captureSite);
  const frames = holder.stack ?? [];
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  const graftPaths: string[] = [];
  for (const f of frames) {
    const file = f.getFileName() ?? f.getScriptNameOrSourceURL() ?? '';
    if (file === '' || isInternal(file)) continue;
    const path = pathOf(file);
    if (isGraft(path)) {
      graftPaths.push(path);
      continue;
    }
    const line = f.getLineNumber() ?? 0;
    const column = f.getColumnNumber() ?? 0;
    const fn = f.getFunctionName() ?? '';
    const kind = kindOf(graftPaths);
    const key = `${file}\0${line}\0${column}\0${fn}\0${kind}`;
    let site = interned.get(key);
    if (site === undefined) {
      site = mappedByHost(prepare, f, kind) ?? { file, line, column, fn, kind, mapped: false };
      interned.set(key, site);
    }
    return site;
  }
  return null;
}

/** The user's code running now (the first frame outside graft), whether or not sites are being recorded. */
export function currentSite(): RawSite | null {
  return captureSite();
}

function note(node: Node): void {
  if (sites.has(node)) return;
  const site = captureSite();
  if (site === null) return;
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (sites.has(n)) continue;
    sites.set(n, site);
    if (n.realized !== null) continue;
    for (const s of n.srcs) if (!sites.has(s)) stack.push(s);
  }
}

/** Start (or stop) recording where nodes are built. Returns whether it was on. */
export function recordSites(on: boolean): boolean {
  const was = siteHook.note !== null;
  siteHook.note = on ? note : null;
  return was;
}

/** Where `n` was built, if recorded. */
export function siteOf(n: Node): RawSite | undefined {
  return sites.get(n);
}

/** A site in the user's source: the TypeScript file and line where a source map says so. */
export interface SourceSite {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly fn: string;
  readonly kind: SiteKind;
}

const resolved = new WeakMap<RawSite, SourceSite>();

/** The TypeScript (or JavaScript) location of a raw site, through the source map of its file. */
export function resolveSite(raw: RawSite): SourceSite {
  const known = resolved.get(raw);
  if (known) return known;
  let out: SourceSite = { file: pathOf(raw.file), line: raw.line, column: raw.column, fn: raw.fn, kind: raw.kind };
  const map = raw.mapped ? undefined : (findSourceMap(raw.file) ?? findSourceMap(pathOf(raw.file)));
  if (map) {
    const e = map.findEntry(raw.line - 1, raw.column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (e && typeof e.originalLine === 'number' && e.originalSource) {
      out = { ...out, file: pathOf(e.originalSource), line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 };
    }
  }
  resolved.set(raw, out);
  return out;
}

const fileLines = new Map<string, string[] | null>();

/** Lines `from`..`to` (1-based, inclusive) of a source file, or null where it cannot be read. */
export function sourceLines(file: string, from: number, to: number): string[] | null {
  let lines = fileLines.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, 'utf8').split(/\r?\n/);
    } catch {
      lines = null;
    }
    fileLines.set(file, lines);
  }
  if (lines === null) return null;
  return lines.slice(Math.max(0, from - 1), Math.max(0, to));
}
