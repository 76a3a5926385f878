/**
 * Compiling C source into a shared object with the system C compiler, through the disk cache.
 *
 * The compiler is `$CC` (which may carry arguments, e.g. `ccache gcc`), else `cc`. Flags default to
 * DEFAULT_CFLAGS; `-shared -fPIC` and `-lm` are always added, because the result must be a loadable
 * shared object linked against libm.
 *
 * A cache entry is keyed by the sha256 of: the source, the flags, the compiler command, the compiler's
 * `--version` text (its identity, asked once per process) and the CPU (`-march=native` code built on one
 * machine may not run on another that shares the cache directory). See cache/disk-cache.ts for the format
 * of entries and why concurrent processes are safe.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, renameSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { CompileError } from '../ir/index.js';
import {
  cacheDir,
  checkEntry,
  ensureCacheDir,
  entryPath,
  install,
  removeQuietly,
  seal,
  sweepStaleTemps,
  sha256Hex,
  tempPath,
} from './cache/disk-cache.js';
import { driverPath, runJobs, type Job, type JobResult } from './cc-driver.js';
import { cpuFlags } from './cpu-flags.js';

/**
 * Default code-generation flags.
 * - `-O3 -march=native`: vectorize for this very CPU (the cache key includes the CPU).
 * - `-fopenmp`: kernels parallelize with OpenMP.
 * - `-ffp-contract=off`: no fusing of `a*b+c` into an FMA. Every float operation rounds as its IR node
 *   says, so results agree with the interpreter and PyTorch's eager CPU ops, and do not depend on which
 *   CPU (FMA or not) built the kernel. Kernels that want FMA (matmul tiles) call fmaf() explicitly.
 * - `-fno-math-errno`: libm functions need not set errno (nothing reads it), which lets sqrt and friends
 *   inline and vectorize. It changes no value: NaN and infinities behave exactly as without it.
 *   `-ffast-math` is NOT used: it assumes no NaN/inf and reassociates sums, which breaks PyTorch semantics.
 */
export const DEFAULT_CFLAGS: readonly string[] = ['-O3', '-march=native', '-fopenmp', '-ffp-contract=off', '-fno-math-errno'];

/** Flags every build gets, whatever `flags` says. */
const REQUIRED_FLAGS: readonly string[] = ['-shared', '-fPIC'];
const LINK_LIBS: readonly string[] = ['-lm'];

/** Bump when the way objects are built or stored changes, so old entries are not reused. */
const CACHE_FORMAT = 2;

export interface CompileOptions {
  /** Replaces DEFAULT_CFLAGS (extend with `[...DEFAULT_CFLAGS, '-g']`). */
  readonly flags?: readonly string[];
  /** Told how many sources will be compiled, and on how many parallel jobs, before the compiler starts. */
  readonly onBuild?: (count: number, jobs: number) => void;
}

/** Counters of this process, for tests and GRAFT_DEBUG. */
export interface CcStats {
  /** Compiler runs that produced an object. */
  compiles: number;
  /** Requests answered from the disk cache without compiling. */
  hits: number;
  /** Cache entries found truncated or corrupted (each was rebuilt). */
  corrupt: number;
  /** Milliseconds spent in the compiler. */
  compileMs: number;
}

export const ccStats: CcStats = { compiles: 0, hits: 0, corrupt: 0, compileMs: 0 };

export function resetCcStats(): void {
  ccStats.compiles = 0;
  ccStats.hits = 0;
  ccStats.corrupt = 0;
  ccStats.compileMs = 0;
}

const INSTALL_HINT =
  'install a C compiler with OpenMP support: gcc (Debian/Ubuntu: apt-get install gcc; Fedora: dnf install gcc; ' +
  'Alpine: apk add gcc musl-dev), or set CC to one';

/** The compiler command: `$CC` split on whitespace, else `cc`. */
export function compilerCommand(): readonly string[] {
  const cc = (process.env.CC ?? '').trim();
  return cc === '' ? ['cc'] : cc.split(/\s+/);
}

const identities = new Map<string, string>();

/** `<cc> --version` output, asked once per process per compiler command. Throws CompileError if absent. */
export function compilerIdentity(command: readonly string[] = compilerCommand()): string {
  const key = command.join(' ');
  const known = identities.get(key);
  if (known !== undefined) return known;
  const r = spawnSync(command[0]!, [...command.slice(1), '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      throw new CompileError(`no C compiler: ${describe(command)} not found or not executable; ${INSTALL_HINT}`);
    }
    throw new CompileError(`cannot run the C compiler ${describe(command)}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    throw new CompileError(
      `the C compiler ${describe(command)} failed on --version (exit ${r.status ?? r.signal}): ${trimOutput(r.stderr)}`,
    );
  }
  const id = r.stdout.trim();
  identities.set(key, id);
  return id;
}

function describe(command: readonly string[]): string {
  const cc = (process.env.CC ?? '').trim();
  return cc === '' ? `'cc'` : `$CC ('${command.join(' ')}')`;
}

let cpuId: string | undefined;

/** What `-march=native` depends on: architecture, CPU model and (on Linux) its feature flags. */
function cpuIdentity(): string {
  if (cpuId !== undefined) return cpuId;
  // without /proc the model name still tells machines apart
  cpuId = `${arch()} ${cpus()[0]?.model ?? ''} ${cpuFlags().join(' ')}`;
  return cpuId;
}

/** Keeps the first lines of compiler output: enough to see the error, not a wall of text. */
function trimOutput(text: string, maxLines = 40): string {
  const lines = text.trim().split('\n');
  const kept = lines.slice(0, maxLines).join('\n');
  return lines.length > maxLines ? `${kept}\n... (${lines.length - maxLines} more lines)` : kept;
}

const settingsDigests = new Map<string, string>();

/**
 * The cache key of a build: a digest of everything but the source (format, flags, compiler command and
 * identity, CPU), made once per process and settings, then hashed with the source.
 */
export function buildKey(source: string, flags: readonly string[], command: readonly string[] = compilerCommand()): string {
  const settings = JSON.stringify({ format: CACHE_FORMAT, flags, required: [...REQUIRED_FLAGS, ...LINK_LIBS], compiler: command });
  let digest = settingsDigests.get(settings);
  if (digest === undefined) {
    digest = sha256Hex(JSON.stringify({ settings, identity: compilerIdentity(command), cpu: cpuIdentity() }));
    settingsDigests.set(settings, digest);
  }
  return createHash('sha256').update(digest).update('\0').update(source).digest('hex');
}

/**
 * The path of a shared object built from `source`: from the disk cache when a valid entry exists,
 * otherwise compiled now and installed in the cache. Throws CompileError for a missing compiler (with what
 * to install) or a failed compile (with the compiler's messages and the path of the kept source).
 */
export function compileShared(source: string, opts: CompileOptions = {}): string {
  return compileSharedMany([source], opts)[0]!;
}

/** Jobs compiled at once: every core (GRAFT_COMPILE_JOBS overrides). */
function compileJobs(): number {
  const env = Number.parseInt(process.env.GRAFT_COMPILE_JOBS ?? '', 10);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

/**
 * The shared objects of several sources (one cache entry each), in order: those the disk cache lacks are
 * compiled in parallel, every core busy, by compiler processes that die with this one (cc-driver.ts).
 *
 * With `combine`, missing sources may be compiled together: it gets indices into `sources` and returns one C
 * file defining all of them. The object built from it is installed under the entry of each member (hard
 * links of one sealed file), so every source keeps an entry of its own — a later request for any one of them
 * is a hit — while a compiler process serves several, which saves its start and the parsing of a shared
 * prelude per source. The missing sources are split into about two batches per parallel job, balanced by
 * size. Errors as `compileShared`; when several fail, the first is reported.
 */
export function compileSharedMany(
  sources: readonly string[],
  opts: CompileOptions & {
    readonly combine?: (members: readonly number[]) => string;
    /** The sources' build keys when the caller has them (`buildKey` with these flags and `$CC`). */
    readonly keys?: readonly string[];
  } = {},
): string[] {
  const flags = opts.flags ?? DEFAULT_CFLAGS;
  const command = compilerCommand();
  const dir = cacheDir();
  ensureCacheDir(dir);
  const keys = opts.keys ?? sources.map((s) => buildKey(s, flags, command));
  const paths = keys.map((k) => entryPath(dir, k));
  const todo = new Map<string, number>();
  keys.forEach((key, i) => {
    if (todo.has(key)) return;
    const state = checkEntry(paths[i]!);
    if (state === 'valid') {
      ccStats.hits++;
      return;
    }
    if (state === 'corrupt') ccStats.corrupt++;
    todo.set(key, i);
  });
  if (todo.size === 0) return paths;

  sweepStaleTemps(dir);
  const jobsAtOnce = compileJobs();
  opts.onBuild?.(todo.size, Math.min(todo.size, jobsAtOnce));
  const missing = [...todo.values()];
  const groups = opts.combine ? balance(missing, 2 * jobsAtOnce, (i) => sources[i]!.length) : missing.map((i) => [i]);
  const builds = groups.map((members) => {
    const key = keys[members[0]!]!;
    return {
      key,
      members,
      source: members.length === 1 ? sources[members[0]!]! : opts.combine!(members),
      src: tempPath(dir, key, '.c'),
      out: tempPath(dir, key, '.so'),
    };
  });
  const jobs: Job[] = builds.map((b) => ({
    command: [...command, ...REQUIRED_FLAGS, ...flags, '-o', b.out, b.src, ...LINK_LIBS],
    log: tempPath(dir, b.key, '.log'),
  }));
  let results: JobResult[];
  const started = performance.now();
  try {
    for (const b of builds) cacheWrite(dir, () => writeFileSync(b.src, b.source));
    results = runJobs(driverPath(dir, command, compilerIdentity(command)), jobs, jobsAtOnce, 600_000);
  } catch (e) {
    for (const b of builds) (removeQuietly(b.src), removeQuietly(b.out));
    throw e;
  }
  ccStats.compileMs += performance.now() - started;
  const failed = results.findIndex((r) => r.status !== 0);
  if (failed >= 0) {
    for (const b of builds) removeQuietly(b.out);
    builds.forEach((b, i) => i !== failed && removeQuietly(b.src));
    const b = builds[failed]!;
    const r = results[failed]!;
    if (r.status === 127 && r.output.trim() === '') {
      removeQuietly(b.src);
      throw new CompileError(`no C compiler: ${describe(command)} not found or not executable; ${INSTALL_HINT}`);
    }
    // Keep the source under a stable name for inspection (a later failure of the same source replaces it).
    const kept = join(dir, `${b.key}.c`);
    cacheWrite(dir, () => renameSync(b.src, kept));
    const why = r.status > 128 ? `killed by signal ${r.status - 128}` : `exit ${r.status}`;
    throw new CompileError(`C compilation failed (${describe(command)}, ${why}); source kept at ${kept}\n${trimOutput(r.output)}`);
  }
  for (const b of builds) {
    removeQuietly(b.src);
    cacheWrite(dir, () => {
      try {
        seal(b.out);
        // Every member's entry is the same sealed object. A link that exists was installed meanwhile by
        // another process (valid: entries appear by rename or link, whole).
        for (const i of b.members.slice(1)) {
          try {
            linkSync(b.out, paths[i]!);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          }
        }
        install(b.out, paths[b.members[0]!]!);
      } catch (e) {
        removeQuietly(b.out);
        throw e;
      }
    });
    ccStats.compiles += b.members.length;
  }
  return paths;
}

/** Items split into at most `n` groups of about equal total weight (largest first, each to the lightest). */
function balance(items: readonly number[], n: number, weight: (i: number) => number): number[][] {
  const groups: { items: number[]; total: number }[] = [];
  for (const i of [...items].sort((a, b) => weight(b) - weight(a))) {
    if (groups.length < n) groups.push({ items: [i], total: weight(i) });
    else {
      const g = groups.reduce((a, b) => (b.total < a.total ? b : a));
      g.items.push(i);
      g.total += weight(i);
    }
  }
  return groups.map((g) => g.items.sort((a, b) => a - b));
}

/** Runs a write to the cache directory, turning a file system failure into a CompileError. */
function cacheWrite(dir: string, write: () => void): void {
  try {
    write();
  } catch (e) {
    throw new CompileError(
      `cannot write to the kernel cache ${dir}: ${(e as Error).message}; set GRAFT_CACHE_DIR to a writable directory with free space`,
    );
  }
}
