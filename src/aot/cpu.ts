/**
 * The CPU features generated code may use. Kernels are compiled with `-march=native`, so a shared object
 * built on one machine may execute instructions another lacks (an illegal instruction, a crash): an artifact
 * records the build machine's instruction-set features and a loader refuses it on a machine missing any.
 */
import { arch, cpus } from 'node:os';
import { cpuFlags } from '../compiler/cpu-flags.js';

/** Instruction-set extensions `-march=native` code may use (x86 and Arm names as /proc/cpuinfo lists them). */
const ISA = new Set([
  'sse', 'sse2', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'bmi1', 'bmi2', 'popcnt', 'lzcnt', 'abm', 'movbe',
  'avx512f', 'avx512dq', 'avx512cd', 'avx512bw', 'avx512vl', 'avx512ifma', 'avx512vbmi', 'avx512_vbmi2', 'avx512_vnni',
  'avx512_bitalg', 'avx512_vpopcntdq', 'avx512_bf16', 'avx512_fp16', 'avx_vnni', 'amx_tile', 'amx_bf16', 'amx_int8', 'gfni',
  'vaes', 'vpclmulqdq', 'sha_ni', 'adx', 'asimd', 'fp', 'sve', 'sve2', 'asimdhp', 'asimddp', 'i8mm', 'bf16',
]);

export interface CpuInfo {
  readonly arch: string;
  readonly model: string;
  readonly features: string[];
}

export function cpuInfo(): CpuInfo {
  return { arch: arch(), model: cpus()[0]?.model ?? '', features: [...new Set(cpuFlags().filter((f) => ISA.has(f)))].sort() };
}

/** What this machine lacks of what the code was built for (empty: it can run it). */
export function missingFeatures(built: { arch: string; cpuFeatures: readonly string[] }, here: CpuInfo = cpuInfo()): string[] {
  if (built.arch !== here.arch) return [`architecture ${built.arch} (this machine is ${here.arch})`];
  const have = new Set(here.features);
  return built.cpuFeatures.filter((f) => !have.has(f));
}
