/**
 * PyTorch signatures with several optional positional arguments and keywords (`sort(x, dim, descending, *,
 * stable)`): positional values and one trailing options object merged into one record, checked against the
 * op's declared options. Giving an argument both ways is PyTorch's "got multiple values for argument".
 */
import { ArgumentError } from '../ir/index.js';
import type { OptionsChecker } from './options.js';
import { isOptionsObject } from './reduce-args.js';

/** Merge positional `args` (named by `names`, in order) with a trailing options object; check the result. */
export function argsOf<O extends object>(spec: OptionsChecker, names: readonly string[], args: readonly unknown[]): O {
  let pos = args;
  let opts: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (args.length > 0 && isOptionsObject(last)) {
    opts = last as Record<string, unknown>;
    pos = args.slice(0, -1);
  }
  if (pos.length > names.length) throw new ArgumentError(`${spec.fn}() takes at most ${names.length + 1} positional arguments but ${pos.length + 1} were given`);
  const merged: Record<string, unknown> = { ...opts };
  pos.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i]!;
    if (opts[name] !== undefined) throw new ArgumentError(`${spec.fn}() got multiple values for argument '${name}'`);
    merged[name] = v;
  });
  spec.check(merged);
  return merged as O;
}
