/**
 * Where graft deliberately answers differently from PyTorch (each difference is a decision written in
 * docs/design.md). A case listed here has the named aspects excused; every other aspect is still compared,
 * and an excused aspect that no longer differs fails the test, so this list cannot go stale.
 */
import type { Aspect } from './replay.js';

export interface Documented {
  /** Case ids (exact) or a pattern over ids. */
  ids: readonly string[] | RegExp;
  /** Fixture category. */
  category: string;
  aspects: readonly Aspect[];
  /** Why, with the design decision it follows. */
  reason: string;
}

export const DOCUMENTED: readonly Documented[] = [];

export function documentedFor(category: string, id: string): Documented | undefined {
  return DOCUMENTED.find((d) => d.category === category && (d.ids instanceof RegExp ? d.ids.test(id) : d.ids.includes(id)));
}
