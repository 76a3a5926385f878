/**
 * The on-disk cache of compiled shared objects: `$GRAFT_CACHE_DIR` (default `~/.cache/graft`).
 *
 * An entry is `<key>.so`, where key is a sha256 chosen by the caller (source, flags, compiler, CPU). Its
 * bytes are the shared object followed by a 48-byte seal: the magic `GRAFTSO1`, the object's length
 * (uint64 LE) and the sha256 of the object. The dynamic loader ignores bytes past the ELF/Mach-O contents,
 * so the sealed file is loaded as is. The seal makes a truncated or corrupted entry detectable, and keeping
 * object and checksum in one file means a single rename installs both: entries are built under a
 * temporary name in the same directory and renamed into place, so a concurrent reader sees either no
 * entry or a complete one, never half of one.
 */
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { CompileError } from '../../ir/index.js';

const MAGIC = Buffer.from('GRAFTSO1', 'latin1');
export const SEAL_BYTES = MAGIC.length + 8 + 32;

/** The cache directory, read from the environment on each call (so tests and tools can redirect it). */
export function cacheDir(): string {
  const fromEnv = process.env.GRAFT_CACHE_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'graft');
}

/** Creates the cache directory (private to the user: it holds code that will be loaded and run). */
export function ensureCacheDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CompileError(
      `cannot create the kernel cache directory ${dir}: ${(e as Error).message}; set GRAFT_CACHE_DIR to a writable directory`,
    );
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Path of the entry for `key`. */
export function entryPath(dir: string, key: string): string {
  return join(dir, `${key}.so`);
}

/**
 * A fresh name in `dir` for building something that will be renamed to `<key><suffix>`. It names the
 * machine (a digest of the host name) and the process, so a later build can tell a temporary file of a
 * process that died from one being written.
 */
export function tempPath(dir: string, key: string, suffix: string): string {
  return join(dir, `${key}${TEMP_MARK}${HOST}-${process.pid}-${randomBytes(6).toString('hex')}${suffix}`);
}

const TEMP_MARK = '.tmp-';
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
/** A temporary file this old was left by a process that died while building: no build takes an hour. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Whether process `pid` of this machine is gone (a zombie, killed and not yet reaped by its parent, is). */
function dead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * Removes temporary files that crashed or killed processes left behind: at once when the process that wrote
 * it (on this machine) is gone, else after an hour (a process of another machine or container sharing the
 * directory). Run before building, not on hits.
 */
export function sweepStaleTemps(dir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const at = name.indexOf(TEMP_MARK);
    if (at < 0) continue;
    const p = join(dir, name);
    const [host, pid] = name.slice(at + TEMP_MARK.length).split('-');
    const orphan = host === HOST && /^\d+$/.test(pid ?? '') && Number(pid) !== process.pid && dead(Number(pid));
    try {
      if (orphan || now - statSync(p).mtimeMs > STALE_TEMP_MS) rmSync(p, { force: true });
    } catch {
      // gone already: another process swept it or installed it
    }
  }
}

/** Appends the seal to a freshly built object. */
export function seal(path: string): void {
  const body = readFileSync(path);
  const trailer = Buffer.alloc(SEAL_BYTES);
  MAGIC.copy(trailer, 0);
  trailer.writeBigUInt64LE(BigInt(body.length), MAGIC.length);
  createHash('sha256').update(body).digest().copy(trailer, MAGIC.length + 8);
  writeFileSync(path, trailer, { flag: 'a' });
}

export type EntryState = 'valid' | 'missing' | 'corrupt';

/** Whether the entry at `path` exists and its seal matches its bytes. */
export function checkEntry(path: string): EntryState {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return 'missing';
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= SEAL_BYTES) return 'corrupt';
    const all = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, all, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got !== size) return 'corrupt';
    const bodyLen = size - SEAL_BYTES;
    const trailer = all.subarray(bodyLen);
    if (!trailer.subarray(0, MAGIC.length).equals(MAGIC)) return 'corrupt';
    if (trailer.readBigUInt64LE(MAGIC.length) !== BigInt(bodyLen)) return 'corrupt';
    const digest = createHash('sha256').update(all.subarray(0, bodyLen)).digest();
    return digest.equals(trailer.subarray(MAGIC.length + 8)) ? 'valid' : 'corrupt';
  } finally {
    closeSync(fd);
  }
}

/** Atomically puts the built file `temp` in place as `path` (rename within one directory). */
export function install(temp: string, path: string): void {
  renameSync(temp, path);
}

export function removeQuietly(path: string): void {
  rmSync(path, { force: true });
}
