/**
 * The eviction shared by the devices' program caches (cpu, cuda): programs keyed by structural hash, each
 * knowing when it was last used. A scan when the cache overflows is cheaper than keeping order on every hit.
 */

/** Drop the least recently used quarter of `programs`; returns how many were dropped. */
export function dropLeastRecent<P extends { lastUse: number }>(programs: Map<number, P[]>): number {
  const uses = [...programs.values()].flat().map((p) => p.lastUse).sort((a, b) => a - b);
  const cut = uses[Math.floor(uses.length / 4)]!;
  let dropped = 0;
  for (const [h, list] of programs) {
    const kept = list.filter((p) => p.lastUse > cut);
    dropped += list.length - kept.length;
    if (kept.length) programs.set(h, kept);
    else programs.delete(h);
  }
  return dropped;
}
