/**
 * The state of the counter-based generator behind rand/randn/dropout (see ir/random.ts): a seed and a
 * counter; each random op takes (seed, counter++). Kept out of the public namespace: creation.ts gives
 * `manualSeed`/`initialSeed`, and compiled steps (compile.ts) draw and rewind here.
 */
export const seeds = { seed: (Date.now() ^ (Math.random() * 0x7fffffff)) | 0, counter: 0 };

/** The next seed's words (a compiled step's replay draws its seeds here, as the ops would). */
export function nextSeedWords(): Int32Array {
  return Int32Array.of(seeds.seed, seeds.counter++);
}

/** The generator's counter, and setting it back (a checked replay runs the step again eagerly). */
export function seedCounter(set?: number): number {
  if (set !== undefined) seeds.counter = set;
  return seeds.counter;
}
