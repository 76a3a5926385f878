/**
 * Compiled C loaded once per process: source (and flags) -> the opened library. The disk cache (compiler
 * stage) saves compiling across processes; this saves hashing, verifying and dlopen within one.
 */
import { compileShared, DEFAULT_CFLAGS, type CompileOptions } from '../compiler/cc.js';
import { sha256Hex } from '../compiler/cache/disk-cache.js';
import { openLibrary, type KernelLibrary } from './native.js';

export interface LibraryCacheStats {
  /** Libraries compiled-or-fetched from disk and opened. */
  loads: number;
  /** Requests answered with an already open library. */
  hits: number;
}

export const libraryCacheStats: LibraryCacheStats = { loads: 0, hits: 0 };

const loaded = new Map<string, KernelLibrary>();

/**
 * The library built from `source`, compiled (or taken from the disk cache) and opened on first request,
 * then shared. A library someone closed is loaded again.
 */
export function loadKernelLibrary(source: string, opts: CompileOptions = {}): KernelLibrary {
  const key = sha256Hex(JSON.stringify([source, opts.flags ?? DEFAULT_CFLAGS, process.env.CC ?? '']));
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

/** Closes and forgets every cached library (tests; freeing code of programs no longer used). */
export function clearKernelLibraries(): void {
  for (const lib of loaded.values()) lib.close();
  loaded.clear();
}
