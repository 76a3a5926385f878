/**
 * The CPU's feature flags as Linux lists them (/proc/cpuinfo `flags`, or `Features` on Arm), read once:
 * what `-march=native` code depends on (the compiler's cache keys, the CPU features an ahead-of-time
 * artifact needs). Empty where there is no /proc.
 */
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';

let flags: readonly string[] | undefined;

export function cpuFlags(): readonly string[] {
  if (flags !== undefined) return flags;
  let line = '';
  if (platform() === 'linux') {
    try {
      line = /^(?:flags|Features)\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
    } catch {
      // no /proc: callers fall back on the architecture and model name
    }
  }
  flags = line === '' ? [] : line.split(/\s+/);
  return flags;
}
