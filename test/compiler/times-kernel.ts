/** A C kernel whose result proves which build ran (out[0] = x[0] * factor), for the compiler-driver tests. */
import { openLibrary } from '../../src/runtime/native.js';

export const timesSource = (factor: number): string =>
  `int times(void **b) { const double *x = b[0]; double *out = b[1]; out[0] = x[0] * ${factor}; return 0; }\n`;

/** Open the shared object at `path` and call its `times` on x. */
export function runTimes(path: string, x: number): number {
  const lib = openLibrary(path);
  try {
    const out = new Float64Array(1);
    lib.kernel('times').call([new Float64Array([x]), out], [8, 8]);
    return out[0]!;
  } finally {
    lib.close();
  }
}
