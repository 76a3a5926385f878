/** `graft ir`'s text: colours only on a terminal and without NO_COLOR; the same text underneath. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { Inspector } from '../../src/inspect/recorder.js';
import { programText, wantsColor } from '../../src/inspect/terminal.js';

describe('graft ir text', () => {
  it('colours for a terminal, plain otherwise, and the text is the same', () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(wantsColor({ isTTY: true })).toBe(true);
      expect(wantsColor({ isTTY: false })).toBe(false);
      expect(wantsColor({})).toBe(false);
      process.env.NO_COLOR = '1';
      expect(wantsColor({ isTTY: true })).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
    const inspector = new Inspector().install();
    try {
      torch.tensor([1, 2, 3]).exp().sum().item();
    } finally {
      inspector.uninstall();
    }
    const r = inspector.programs[0]!;
    const o = { timings: false, peaks: null, cwd: process.cwd() };
    const plain = programText(r, { ...o, color: false });
    const colored = programText(r, { ...o, color: true });
    expect(plain).not.toContain('\x1b[');
    expect(colored).toContain('\x1b[36mexp\x1b[0m');
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });
});
