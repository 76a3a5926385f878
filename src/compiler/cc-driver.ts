/**
 * Running C compiler jobs in parallel, and never leaving one behind. Realization is synchronous, so the jobs
 * run under one synchronous call: `spawnSync` of a small driver (C, built once per cache directory with the
 * same compiler) that runs up to N jobs at a time and reports each one's exit status.
 *
 * The driver puts itself and every compiler process in a process group of its own, and on Linux asks the
 * kernel to signal it when its parent dies (`prctl(PR_SET_PDEATHSIG)`): if Node is killed mid-compile (even
 * by SIGKILL), or `spawnSync`'s timeout signals the driver, it kills the whole group — gcc, cc1, as, ld —
 * and exits. Without it, a killed process's gcc ran on for minutes.
 *
 * Protocol: argv is `driver <parent pid> <max jobs>`; stdin holds the jobs, each a log file path then the
 * command's arguments, NUL-terminated strings, a job ended by an empty string. The driver writes one line
 * per job to stdout, in order: its exit status (128 + signal number when it was killed, 127 when it could
 * not be started). Each job's stdout and stderr go to its log file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEntry, removeQuietly, seal, sha256Hex, tempPath } from './cache/disk-cache.js';

export const DRIVER_C = `/* graft's compiler driver: see src/compiler/cc-driver.ts */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* Kill the whole group (the compilers and this driver): the parent is gone or gave up waiting. */
static void die_with_group(int sig) {
  (void)sig;
  kill(0, SIGKILL);
  _exit(137);
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  pid_t parent = (pid_t)atol(argv[1]);
  int max = atoi(argv[2]);
  if (max < 1) max = 1;
  if (setpgid(0, 0) != 0) return 3;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = die_with_group;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
  /* The parent may have died before the request above: then nobody waits for the jobs. */
  if (getppid() != parent) die_with_group(0);

  size_t cap = 1 << 16, len = 0;
  char *in = malloc(cap);
  if (!in) return 4;
  for (;;) {
    if (len == cap) {
      cap *= 2;
      char *grown = realloc(in, cap);
      if (!grown) return 4;
      in = grown;
    }
    ssize_t r = read(0, in + len, cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
  }
  /* Split into jobs: argument vectors whose first entry is the log path. */
  size_t njobs = 0, nargs = 0;
  for (size_t i = 0; i < len; i++) if (in[i] == 0) nargs++;
  char **args = calloc(nargs + 1, sizeof(char *));
  char ***jobs = calloc(nargs + 1, sizeof(char **));
  if (!args || !jobs) return 4;
  size_t a = 0, start = 0;
  int open_job = 0;
  for (size_t i = 0; i < len; i++) {
    if (in[i] != 0) continue;
    if (i == start) { /* an empty string ends a job */
      args[a++] = NULL;
      open_job = 0;
    } else {
      if (!open_job) { jobs[njobs++] = &args[a]; open_job = 1; }
      args[a++] = in + start;
    }
    start = i + 1;
  }
  int *status = calloc(njobs + 1, sizeof(int));
  pid_t *pids = calloc(njobs + 1, sizeof(pid_t));
  if (!status || !pids) return 4;
  size_t next = 0, running = 0;
  while (next < njobs || running > 0) {
    while (next < njobs && running < (size_t)max) {
      char **job = jobs[next];
      pid_t pid = fork();
      if (pid == 0) {
        int fd = open(job[0], O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        execvp(job[1], job + 1);
        _exit(127);
      }
      if (pid < 0) { status[next++] = 127; continue; }
      pids[next++] = pid;
      running++;
    }
    int st;
    pid_t done = wait(&st);
    if (done < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t j = 0; j < next; j++) {
      if (pids[j] != done) continue;
      status[j] = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
      pids[j] = 0;
      running--;
      break;
    }
  }
  for (size_t j = 0; j < njobs; j++) printf("%d\\n", status[j]);
  return 0;
}
`;

export interface Job {
  /** The command and its arguments. */
  readonly command: readonly string[];
  /** Where its output goes. */
  readonly log: string;
}

export interface JobResult {
  /** Exit status; 128 + n when killed by signal n; 127 when it could not be started. */
  readonly status: number;
  readonly output: string;
}

const drivers = new Map<string, string | null>();

/**
 * The driver executable in `dir`, built with `command` on first use (null when it cannot be built: the jobs
 * then run one at a time, without the group kill).
 */
export function driverPath(dir: string, command: readonly string[], identity: string): string | null {
  const key = sha256Hex(JSON.stringify({ driver: DRIVER_C, command, identity }));
  const known = drivers.get(`${dir}\0${key}`);
  if (known !== undefined) return known;
  const path = join(dir, `driver-${key.slice(0, 32)}`);
  let result: string | null = path;
  if (checkEntry(path) !== 'valid') {
    const src = tempPath(dir, `driver-${key.slice(0, 32)}`, '.c');
    const out = tempPath(dir, `driver-${key.slice(0, 32)}`, '');
    try {
      writeFileSync(src, DRIVER_C);
      const r = spawnSync(command[0]!, [...command.slice(1), '-O1', '-o', out, src], { encoding: 'utf8', timeout: 120_000 });
      if (r.error || r.status !== 0) result = null;
      else {
        seal(out);
        chmodSync(out, 0o700);
        renameSync(out, path);
      }
    } catch {
      result = null;
    } finally {
      removeQuietly(src);
      removeQuietly(out);
    }
  }
  drivers.set(`${dir}\0${key}`, result);
  return result;
}

/**
 * Runs `jobs`, up to `parallel` at a time, and returns each one's status and output. With a driver, the
 * jobs die with this process; without one they run one after another through spawnSync.
 */
export function runJobs(driver: string | null, jobs: readonly Job[], parallel: number, timeoutMs: number): JobResult[] {
  if (jobs.length === 0) return [];
  if (driver === null) {
    return jobs.map((j) => {
      const r = spawnSync(j.command[0]!, j.command.slice(1), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
      const status = r.error ? 127 : r.status !== null ? r.status : 128 + 9;
      return { status, output: `${r.error ? r.error.message + '\n' : ''}${r.stderr ?? ''}\n${r.stdout ?? ''}` };
    });
  }
  const input = jobs.map((j) => [j.log, ...j.command].map((a) => a + '\0').join('') + '\0').join('');
  const r = spawnSync(driver, [String(process.pid), String(Math.max(1, parallel))], {
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = (r.stdout ?? '').trim().split('\n');
  return jobs.map((j, i) => {
    let output = '';
    try {
      output = readFileSync(j.log, 'utf8');
    } catch {
      // no output
    }
    removeQuietly(j.log);
    const status = r.status === 0 && lines.length === jobs.length ? Number(lines[i]) : 128 + 15;
    if (r.status !== 0 && i === 0) {
      const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
      output = `the compiler driver failed (${why})\n${output}`;
    }
    return { status, output };
  });
}
