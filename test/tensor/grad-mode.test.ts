import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const leaf = (): torch.Tensor => torch.ones(2, { requiresGrad: true });

afterEach(() => {
  // A failing test must not leave grad mode off for the next one.
  expect(torch.isGradEnabled()).toBe(true);
});

describe('grad mode scopes with `using` (compiled by TypeScript for Node 20)', () => {
  it('using _ = torch.noGrad() turns recording off to the end of the block, also when it throws', () => {
    const x = leaf();
    {
      using _ = torch.noGrad();
      expect(torch.isGradEnabled()).toBe(false);
      expect(x.mul(2).requiresGrad).toBe(false);
      {
        using _inner = torch.enableGrad();
        expect(x.mul(2).requiresGrad).toBe(true);
      }
      expect(torch.isGradEnabled()).toBe(false);
    }
    expect(torch.isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
    expect(() => {
      using _ = torch.noGrad();
      throw new Error('inside');
    }).toThrow('inside');
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('setGradEnabled returns a guard restoring the previous mode, once', () => {
    const g = torch.setGradEnabled(false);
    expect(torch.isGradEnabled()).toBe(false);
    const inner = torch.setGradEnabled(true);
    inner.restore();
    expect(torch.isGradEnabled()).toBe(false);
    g[Symbol.dispose]();
    expect(torch.isGradEnabled()).toBe(true);
    torch.setGradEnabled(false);
    g.restore(); // already used: restoring again changes nothing
    expect(torch.isGradEnabled()).toBe(false);
    torch.setGradEnabled(true);
  });

  it('a using guard in an async function holds across await, as with torch.no_grad() in Python', async () => {
    const x = leaf();
    const seen: boolean[] = [];
    const work = async (): Promise<torch.Tensor> => {
      using _ = torch.noGrad();
      await new Promise((r) => setTimeout(r, 1));
      seen.push(torch.isGradEnabled());
      return x.mul(3);
    };
    const y = await work();
    expect(seen).toEqual([false]);
    expect(y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });
});

describe('async functions are refused with a clear error', () => {
  it('noGrad(async () => ...) and enableGrad(async ...) throw before running anything', () => {
    let ran = false;
    const f = async (): Promise<number> => {
      ran = true;
      return 1;
    };
    for (const scope of [torch.noGrad, torch.enableGrad] as ((fn: () => unknown) => unknown)[]) {
      let e: unknown;
      try {
        scope(f);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(torch.ArgumentError);
      expect((e as Error).message).toMatch(/^(noGrad|enableGrad)\(\): async functions are not supported; grad mode cannot stay set across `await`/);
    }
    expect(ran).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('a function returning a promise is refused too (its continuation would record gradients), without an unhandled rejection', async () => {
    const returnsPromise = (): Promise<number> => Promise.reject(new Error('later'));
    expect(() => torch.noGrad(returnsPromise)).toThrow(/the function returned a Promise/);
    await new Promise((r) => setTimeout(r, 5));
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('arguments of the wrong type', () => {
    expect(() => torch.noGrad(5 as never)).toThrow(torch.ArgumentError);
    expect(() => torch.setGradEnabled('no' as never)).toThrow(torch.ArgumentError);
    expect(torch.isGradEnabled()).toBe(true);
  });
});
