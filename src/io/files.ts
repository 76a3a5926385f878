/**
 * File plumbing shared by the formats: bounded reads from a file or a byte array, and atomic writes
 * (a temporary file in the same folder, flushed, then renamed over the target, so an interrupted save leaves
 * the previous file whole).
 *
 * Failures of the file system are FileErrors naming the caller's operation, the path the caller gave and the
 * cause (never the hidden temporary file). A save through a symbolic link writes the link's target (the link
 * stays). Temporary files are named `.<name>.<pid>.<stamp>.graft-tmp`; one left behind by a killed process is
 * removed by the next save into that folder.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ArgumentError, FileError, FormatError, GraftError } from '../ir/index.js';
import { describeValue } from '../tensor/options.js';

/** Something to read bytes from; every read is checked against `size`. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `position` into `into` (or a new array). */
  read(position: number, length: number, into?: Uint8Array): Uint8Array;
}

function checkRange(what: string, size: number, position: number, length: number): void {
  if (!(position >= 0 && length >= 0 && position + length <= size)) {
    throw new FormatError(`${what}: read of ${length} bytes at ${position} goes past the end (${size} bytes)`);
  }
}

/** A source over bytes held in memory. */
export function bytesSource(bytes: Uint8Array, what: string): ByteSource {
  return {
    size: bytes.length,
    read(position, length, into) {
      checkRange(what, bytes.length, position, length);
      const part = bytes.subarray(position, position + length);
      if (!into) return part;
      into.set(part);
      return into;
    },
  };
}

/** @internal Check that a byte argument is a Uint8Array (a Node Buffer is one). */
export function checkBytes(op: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`${op}(): argument 'bytes' must be a Uint8Array, not ${describeValue(bytes)}`);
}

/** @internal Check that a path argument is a non-empty string. */
export function checkPath(op: string, path: unknown): asserts path is string {
  if (typeof path !== 'string') throw new ArgumentError(`${op}(): argument 'path' must be a string, not ${describeValue(path)}`);
  if (path === '' || path.includes('\0')) throw new ArgumentError(`${op}(): ${path === '' ? 'the path is empty' : 'the path contains a NUL character'}`);
}

/** The system's description of an fs error ("no such file or directory"), without the temporary path. */
function cause(e: NodeJS.ErrnoException): string {
  const m = /^[A-Z0-9_]+: ([^,]+)/.exec(e.message);
  return m ? m[1]! : e.message;
}

/** @internal An fs error as a FileError about the caller's path; graft's own errors pass through. */
export function fileError(op: string, verb: 'read' | 'write', path: string, e: unknown): Error {
  if (e instanceof GraftError) return e;
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string') return e as Error;
  let hint = '';
  if (err.code === 'ENOENT') hint = verb === 'write' ? ` (the folder '${dirname(path)}' does not exist)` : '';
  return new FileError(`${op}: cannot ${verb} '${path}': ${cause(err)} (${err.code})${hint}`, path, err.code);
}

const CHUNK = 1 << 30;

/** Open a file and run `fn` with a source over it; the file is closed afterwards. `op` names the caller in errors. */
export function withFileSource<T>(op: string, path: string, fn: (src: ByteSource) => T): T {
  checkPath(op, path);
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(op, 'read', path, e);
  }
  try {
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new FileError(`${op}: cannot read '${path}': it is a directory (EISDIR)`, path, 'EISDIR');
      size = st.size;
    } catch (e) {
      throw fileError(op, 'read', path, e);
    }
    const src: ByteSource = {
      size,
      read(position, length, into) {
        checkRange(path, size, position, length);
        const out = into ?? new Uint8Array(length);
        let done = 0;
        while (done < length) {
          let got: number;
          try {
            got = readSync(fd, out, done, Math.min(CHUNK, length - done), position + done);
          } catch (e) {
            throw fileError(op, 'read', path, e);
          }
          if (got === 0) throw new FormatError(`${path}: the file ended early (it changed while being read?)`);
          done += got;
        }
        return out;
      },
    };
    return fn(src);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Atomic writes

const TMP_SUFFIX = '.graft-tmp';
const TMP_NAME = /^\..*\.(\d+)\.[0-9a-z]+\.graft-tmp$/;
/** A temporary file this old whose process is gone is stale; one this old is stale whoever made it. */
const STALE_MS = 60_000;
const ABANDONED_MS = 24 * 3600_000;
let tmpCounter = 0;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporary files of saves that were killed (their process is gone), or abandoned long ago. */
function removeStaleTemporaries(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.endsWith(TMP_SUFFIX)) continue;
    const m = TMP_NAME.exec(name);
    if (!m) continue;
    const p = join(dir, name);
    try {
      const st = lstatSync(p);
      const age = now - st.mtimeMs;
      if (st.isFile() && (age > ABANDONED_MS || (age > STALE_MS && !processAlive(Number(m[1]))))) unlinkSync(p);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
}

/** The file a save to `path` writes: the target of a symbolic link (followed link by link), else `path`. */
function followLinks(op: string, path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let isLink: boolean;
    try {
      isLink = lstatSync(p).isSymbolicLink();
    } catch {
      return p;
    }
    if (!isLink) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new FileError(`${op}: cannot write '${path}': too many levels of symbolic links (ELOOP)`, path, 'ELOOP');
}

/**
 * Write `chunks` to `path` atomically: into a temporary file beside the file written (the target of a symbolic
 * link), then rename over it. `op` names the caller in errors.
 */
export function writeFileAtomic(op: string, path: string, chunks: Iterable<Uint8Array>): void {
  checkPath(op, path);
  const target = followLinks(op, path);
  const dir = dirname(target);
  removeStaleTemporaries(dir);
  const tmp = join(dir, `.${basename(target).slice(0, 100)}.${process.pid}.${Date.now().toString(36)}${(tmpCounter++).toString(36)}${TMP_SUFFIX}`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw fileError(op, 'write', path, e);
  }
  let ok = false;
  try {
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, Math.min(CHUNK, chunk.length - done));
    }
    fsyncSync(fd);
    ok = true;
  } catch (e) {
    throw fileError(op, 'write', path, e);
  } finally {
    closeSync(fd);
    if (!ok) unlinkQuietly(tmp);
  }
  try {
    renameSync(tmp, target);
  } catch (e) {
    unlinkQuietly(tmp);
    throw fileError(op, 'write', path, e);
  }
}

function unlinkQuietly(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // Already gone.
  }
}
