/**
 * File plumbing shared by the formats: bounded reads from a file or a byte array, and atomic writes
 * (a temporary file in the same folder, flushed, then renamed over the target, so an interrupted save leaves
 * the previous file whole).
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../ir/index.js';

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

const CHUNK = 1 << 30;

/** Open a file and run `fn` with a source over it; the file is closed afterwards. */
export function withFileSource<T>(path: string, what: string, fn: (src: ByteSource) => T): T {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const src: ByteSource = {
      size,
      read(position, length, into) {
        checkRange(what, size, position, length);
        const out = into ?? new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const got = readSync(fd, out, done, Math.min(CHUNK, length - done), position + done);
          if (got === 0) throw new FormatError(`${what}: the file ended early (it changed while being read?)`);
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

let tmpCounter = 0;

/** Write `chunks` to `path` atomically: into a temporary file beside it, then rename over it. */
export function writeFileAtomic(path: string, chunks: Iterable<Uint8Array>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${(tmpCounter++).toString(36)}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  let ok = false;
  try {
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, Math.min(CHUNK, chunk.length - done));
    }
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) unlinkSync(tmp);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}
