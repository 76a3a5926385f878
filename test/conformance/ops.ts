/**
 * From a fixture's op key to graft's call. The default rule is the naming convention: `name` is
 * `torch.camel(name)(...args, kw)`, `F.name` is `torch.nn.functional.camel(name)`, `Tensor.name` is the method
 * `args[0].camel(name)(...rest, kw)`; keyword arguments become one options object with camelCase keys.
 * The table below lists the ops whose graft signature differs from that rule, each with the reason.
 */
import * as torch from '../../src/index.js';
import { camel } from './fixture.js';

type Tensor = torch.Tensor;
export type Kw = Record<string, unknown>;
/** An op: decoded positional arguments and keyword arguments (camelCase keys) -> graft's result. */
export type OpFn = (args: unknown[], kw: Kw) => unknown;

const F = torch.nn.functional as unknown as Record<string, (...a: unknown[]) => unknown>;
const T = torch as unknown as Record<string, (...a: unknown[]) => unknown>;

/** Positional arguments, then the options object when there are keyword arguments. */
const withKw = (args: unknown[], kw: Kw): unknown[] => (Object.keys(kw).length ? [...args, kw] : args);

function byConvention(key: string): OpFn {
  if (key.startsWith('F.')) {
    const name = camel(key.slice(2));
    return (args, kw) => {
      const fn = F[name];
      if (typeof fn !== 'function') throw new Error(`graft has no torch.nn.functional.${name}`);
      return fn(...withKw(args, kw));
    };
  }
  if (key.startsWith('Tensor.')) {
    const name = camel(key.slice('Tensor.'.length));
    return (args, kw) => {
      const self = args[0] as Record<string, (...a: unknown[]) => unknown>;
      if (typeof self[name] !== 'function') throw new Error(`graft has no Tensor.${name}`);
      return self[name]!(...withKw(args.slice(1), kw));
    };
  }
  const name = camel(key);
  return (args, kw) => {
    const fn = T[name];
    if (typeof fn !== 'function') throw new Error(`graft has no torch.${name}`);
    return fn(...withKw(args, kw));
  };
}

/** Ops whose graft call is not the convention. */
const TABLE: Record<string, OpFn> = {
  // torch.pow(2, x): a scalar base (PyTorch's overload with a Number self).
  rpow: ([base, x]) => torch.pow(base as number, x as Tensor),
  // clamp(x, min=..., max=...): graft's bounds are positional (null to skip one).
  clamp: ([x, lo, hi], kw) => torch.clamp(x as Tensor, (kw.min ?? lo ?? null) as number, (kw.max ?? hi ?? null) as number),
  'Tensor.clamp_': ([x, lo, hi], kw) => (x as Tensor).clamp_((kw.min ?? lo ?? null) as number, (kw.max ?? hi ?? null) as number),
  // torch.full(size, value, dtype=...): the size is a list.
  full: ([size, value], kw) => torch.full(size as number[], value as number, kw),
  full_like: ([x, value], kw) => torch.fullLike(x as Tensor, value as number, kw),
};

export function opOf(key: string): OpFn {
  return TABLE[key] ?? byConvention(key);
}
