/**
 * Compiled C loaded once per process: source (and flags) -> the opened library. The disk cache (compiler
 * stage) saves compiling across processes; this saves hashing, verifying and dlopen within one.
 */
import { buildKey, compileShared, compileSharedMany, DEFAULT_CFLAGS, type CompileOptions } from '../compiler/cc.js';
import { openLibrary, type KernelLibrary } from './native.js';

export interface LibraryCacheStats {
  /** Libraries compiled-or-fetched from disk and opened. */
  loads: number;
  /** Requests answered with an already open library. */
  hits: number;
}

export const libraryCacheStats: LibraryCacheStats = { loads: 0, hits: 0 };

const loaded = new Map<string, KernelLibrary>();

/** A library is known by its build key (source, flags, compiler, CPU): hashed once, used for both caches. */
const libraryKey = (source: string, opts: Pick<CompileOptions, 'flags'>): string => buildKey(source, opts.flags ?? DEFAULT_CFLAGS);

/**
 * The library built from `source`, compiled (or taken from the disk cache) and opened on first request,
 * then shared. A library someone closed is loaded again.
 */
export function loadKernelLibrary(source: string, opts: CompileOptions = {}): KernelLibrary {
  const key = libraryKey(source, opts);
  const known = loaded.get(key);
  if (known && !known.closed) {
    libraryCacheStats.hits++;
    return known;
  }
  const lib = openLibrary(compileShared(source, opts));
  loaded.set(key, lib);
  libraryCacheStats.loads++;
  return lib;
}

/**
 * The libraries of several sources (a cache entry each): those not open yet are compiled — in parallel, the
 * ones the disk cache lacks, several to a compiler process when `combine` can merge them — and opened. An
 * object serving several sources is opened once (the loader knows its file).
 */
export function loadKernelLibraries(
  sources: readonly string[],
  opts: CompileOptions & { readonly combine?: (members: readonly number[]) => string } = {},
): KernelLibrary[] {
  const keys = sources.map((s) => libraryKey(s, opts));
  const missing: number[] = [];
  const out = keys.map((key, i) => {
    const known = loaded.get(key);
    if (known && !known.closed) {
      libraryCacheStats.hits++;
      return known;
    }
    missing.push(i);
    return null;
  });
  if (missing.length) {
    const combine = opts.combine;
    const paths = compileSharedMany(
      missing.map((i) => sources[i]!),
      {
        ...opts,
        keys: missing.map((i) => keys[i]!),
        ...(combine ? { combine: (members: readonly number[]) => combine(members.map((m) => missing[m]!)) } : {}),
      },
    );
    missing.forEach((i, m) => {
      const lib = openLibrary(paths[m]!);
      loaded.set(keys[i]!, lib);
      libraryCacheStats.loads++;
      out[i] = lib;
    });
  }
  return out as KernelLibrary[];
}

/** Closes and forgets every cached library (tests; freeing code of programs no longer used). */
export function clearKernelLibraries(): void {
  for (const lib of loaded.values()) lib.close();
  loaded.clear();
}
