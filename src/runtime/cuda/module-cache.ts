/**
 * Compiled CUDA modules on disk: `$GRAFT_CACHE_DIR/cuda/<key>.cumod` (default `~/.cache/graft/cuda`), the
 * image NVRTC made (a cubin, or PTX when NVRTC is older than the device) sealed as the C objects are
 * (src/compiler/cache/disk-cache.ts: a trailer with the length and sha256 of the image), written under a
 * temporary name and renamed into place, so a reader sees a whole entry or none. The key is a sha256 over
 * the source, the device's architecture, NVRTC's version and options: another GPU or another NVRTC never
 * reuses an image. A corrupt entry is compiled again and replaced.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompileError } from '../../ir/index.js';
import {
  SEAL_BYTES,
  cacheDir,
  checkEntry,
  ensureCacheDir,
  install,
  removeQuietly,
  seal,
  sha256Hex,
  sweepStaleTemps,
  tempPath,
} from '../../compiler/cache/disk-cache.js';

/** Bumped when the meaning of an entry changes (compile options, image format). */
const MODULE_FORMAT = 1;

/** Counters for tests and GRAFT_DEBUG. */
export const cudaModuleCacheStats = { hits: 0, compiles: 0, writes: 0, corrupt: 0, dropped: 0 };

export function cudaModuleCacheDir(): string {
  return join(cacheDir(), 'cuda');
}

/** The entry's key: source, architecture (e.g. `sm_90`), NVRTC version (e.g. `13.0`) and NVRTC options. */
export function cudaModuleKey(source: string, arch: string, nvrtcVersion: string, options: readonly string[] = []): string {
  return sha256Hex(`graft-cuda-module-${MODULE_FORMAT}\0${arch}\0nvrtc ${nvrtcVersion}\0${options.join('\n')}\0${source}`);
}

export function cudaModulePath(key: string): string {
  return join(cudaModuleCacheDir(), `${key}.cumod`);
}

/**
 * The image for `key`: from the cache, else from `compile` (then stored). `fromCache` says which: a cached
 * image that the driver refuses is dropped (`dropModuleImage`) and compiled again by the caller.
 */
export function cachedModuleImage(key: string, compile: () => Uint8Array): { image: Uint8Array; fromCache: boolean } {
  const path = cudaModulePath(key);
  const state = checkEntry(path);
  if (state === 'valid') {
    try {
      const all = readFileSync(path);
      cudaModuleCacheStats.hits++;
      return { image: all.subarray(0, all.length - SEAL_BYTES), fromCache: true };
    } catch {
      // removed meanwhile: compile it again
    }
  }
  if (state === 'corrupt') cudaModuleCacheStats.corrupt++;
  const image = compile();
  cudaModuleCacheStats.compiles++;
  const dir = cudaModuleCacheDir();
  ensureCacheDir(dir);
  sweepStaleTemps(dir);
  const temp = tempPath(dir, key, '.cumod');
  try {
    writeFileSync(temp, image);
    seal(temp);
    install(temp, path);
    cudaModuleCacheStats.writes++;
  } catch (e) {
    removeQuietly(temp);
    throw new CompileError(
      `cannot write to the CUDA module cache ${dir}: ${(e as Error).message}; set GRAFT_CACHE_DIR to a writable directory with free space`,
    );
  }
  return { image, fromCache: false };
}

/** Removes the entry for `key` (an image the driver refused), so that the next load compiles it again. */
export function dropModuleImage(key: string): void {
  cudaModuleCacheStats.dropped++;
  removeQuietly(cudaModulePath(key));
}
