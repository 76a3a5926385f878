import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { bool, count, defineOptions, describeValue, int, optionSpecs, real, tensorArg } from '../../src/tensor/options.js';
import { caught } from '../helpers.js';

const spec = defineOptions('demo', {
  stepSize: int,
  gamma: real.optional(),
  mode: z.enum(['a', 'b']).default('a'),
  flag: bool.optional(),
  lr: z.number().min(0, { error: (iss) => `Invalid learning rate: ${String(iss.input)}` }).optional(),
});
const fast = defineOptions('fastDemo', { alpha: real.optional(), out: tensorArg.optional(), n: count.optional(), keep: z.boolean().optional() });

describe('defineOptions: parse', () => {
  it('applies defaults and keeps given values', () => {
    expect(spec.parse({ stepSize: 2 })).toEqual({ stepSize: 2, mode: 'a' });
    expect(spec.parse({ stepSize: 2, gamma: Infinity, mode: 'b', flag: true })).toEqual({ stepSize: 2, gamma: Infinity, mode: 'b', flag: true });
  });

  it('names the camelCase option for a snake_case key', () => {
    const e = caught(() => spec.parse({ step_size: 2 }));
    expect(e).toBeInstanceOf(torch.ArgumentError);
    expect(e.message).toBe(
      "demo() got an unexpected keyword argument 'step_size'; did you mean 'stepSize'? (graft spells PyTorch's keyword arguments in camelCase)",
    );
  });

  it('lists the options for an unknown key with no near match', () => {
    const e = caught(() => spec.parse({ stepSize: 1, bogus: 1 }));
    expect(e).toBeInstanceOf(torch.ArgumentError);
    expect(e.message).toBe("demo() got an unexpected keyword argument 'bogus'; the options of demo are: stepSize, gamma, mode, flag, lr");
  });

  it('missing required options, wrong types and bad values', () => {
    expect(caught(() => spec.parse({}))).toEqual(new torch.ArgumentError("demo() missing required option 'stepSize'"));
    expect(caught(() => spec.parse(undefined)).message).toBe("demo() missing required option 'stepSize'");
    expect(caught(() => spec.parse({ stepSize: 1.5 }))).toEqual(new torch.ArgumentError("demo(): option 'stepSize' must be an integer, not 1.5"));
    expect(caught(() => spec.parse({ stepSize: 1, gamma: NaN }))).toEqual(new torch.ArgumentError("demo(): option 'gamma' must be a number, not NaN"));
    expect(caught(() => spec.parse({ stepSize: 1, flag: 'yes' }))).toEqual(new torch.ArgumentError(`demo(): option 'flag' must be a boolean, not "yes"`));
    expect(caught(() => spec.parse({ stepSize: 1, mode: 'c' }))).toEqual(new torch.ValueError(`demo(): option 'mode' must be one of "a", "b", not "c"`));
    expect(caught(() => spec.parse({ stepSize: 1, lr: -1 }))).toEqual(new torch.ValueError('Invalid learning rate: -1'));
  });

  it('refuses what is not an options object', () => {
    for (const bad of [5, 'x', [1], torch.zeros(1), null]) {
      const e = caught(() => spec.parse(bad === null ? 0 : bad));
      expect(e).toBeInstanceOf(torch.ArgumentError);
      expect(e.message).toMatch(/^demo\(\): expected an options object \(stepSize, gamma, mode, flag, lr\), got /);
    }
  });
});

describe('defineOptions: check (the per-op path)', () => {
  it('accepts what parse accepts and gives the same errors', () => {
    const x = torch.zeros(1);
    expect(() => fast.check(undefined)).not.toThrow();
    expect(() => fast.check({})).not.toThrow();
    expect(() => fast.check({ alpha: -Infinity, out: x, n: 0, keep: false })).not.toThrow();
    const cases: [unknown, string][] = [
      [{ alpah: 1 }, "fastDemo() got an unexpected keyword argument 'alpah'; did you mean 'alpha'?"],
      [{ zzz: 1 }, "fastDemo() got an unexpected keyword argument 'zzz'; the options of fastDemo are: alpha, out, n, keep"],
      [{ out: 1 }, "fastDemo(): option 'out' must be a Tensor, not 1"],
      [{ n: -1 }, "fastDemo(): option 'n' must be a non-negative integer, not -1"],
      [{ keep: 1 }, "fastDemo(): option 'keep' must be a boolean, not 1"],
      [{ alpha: NaN }, "fastDemo(): option 'alpha' must be a number, not NaN"],
    ];
    for (const [opts, message] of cases) {
      const e = caught(() => fast.check(opts));
      expect(e).toBeInstanceOf(torch.ArgumentError);
      expect(e.message).toBe(message);
      expect(caught(() => fast.parse(opts)).message).toBe(message);
    }
  });

  it('is registered for the API fuzzer', () => {
    expect(optionSpecs().get('fastDemo')).toBe(fast);
  });

  it('costs little per call (printed, never asserted: timings vary with the machine)', () => {
    const o = { alpha: 2 };
    const n = 200_000;
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fast.check(o);
    const perCheck = Number(process.hrtime.bigint() - t) / n;
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fast.schema.safeParse(o);
    const perZod = Number(process.hrtime.bigint() - t) / n;
    console.log(`options check: ${perCheck.toFixed(0)} ns per call with options (zod parse: ${perZod.toFixed(0)} ns)`);
  });
});

describe('describeValue', () => {
  it('shows primitives by value and objects by kind', () => {
    expect([NaN, -0, 'ab', null, undefined, 3n, [1], {}, torch.zeros(1), new Map(), () => 1].map(describeValue)).toEqual([
      'NaN', '-0', '"ab"', 'null', 'undefined', '3n', 'an array', 'an object', 'a Tensor', 'a Map', 'a function',
    ]);
  });
});
