/**
 * One conformance suite per fixture category and device: every case is replayed with graft in beforeAll
 * (lazily built, realized together), then each case is its own test that reports what differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { documentedFor } from './documented.js';
import { loadFixture, type CaseRecord } from './fixture.js';
import { runCases, type Mismatch } from './replay.js';

export interface SuiteOptions {
  device?: string;
  /** Which cases to run (default: all). */
  filter?: (c: CaseRecord) => boolean;
}

export function conformanceSuite(category: string, opts: SuiteOptions = {}): void {
  const device = opts.device ?? 'cpu';
  const fixture = loadFixture(category);
  const cases = fixture.cases.filter(opts.filter ?? (() => true));
  describe(`PyTorch ${fixture.torch} conformance: ${category} on ${device}`, () => {
    let results = new Map<string, Mismatch[]>();
    let previous = 'cpu';
    beforeAll(() => {
      previous = torch.getDefaultDevice();
      torch.setDefaultDevice(device);
      torch.manualSeed(0);
      try {
        results = runCases(cases, device);
      } finally {
        torch.setDefaultDevice(previous);
      }
      // Every case of the category at once: hundreds of small programs, each compiled on a cold cache (CI).
    }, 600_000);
    afterAll(() => torch.setDefaultDevice(previous));

    it.each(cases.map((c) => [c.id, c] as const))('%s', (id, c) => {
      const found = results.get(id);
      expect(found, 'the case ran').toBeDefined();
      const doc = documentedFor(category, id);
      const excused = new Set(doc?.aspects ?? []);
      const failures = found!.filter((m) => !excused.has(m.aspect)).map((m) => `${m.aspect}: ${m.detail}`);
      for (const aspect of excused) {
        if (!found!.some((m) => m.aspect === aspect)) failures.push(`documented difference '${aspect}' no longer differs: update documented.ts (${doc!.reason})`);
      }
      if (failures.length) expect.fail(`${c.op}(${JSON.stringify(c.args).slice(0, 160)}):\n  ${failures.join('\n  ')}`);
    });
  });
}
