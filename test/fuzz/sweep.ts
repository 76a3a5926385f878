/**
 * A deterministic sweep of the public API (`node scripts/fuzz.js sweep`): every function, method and
 * constructor the API fuzzer knows, called with canonical bad arguments (missing, null, wrong types, NaN,
 * fractional and huge numbers, valid-looking argument lists with one position replaced), and every method of
 * the objects the constructors return likewise. Prints each callable that throws something other than a graft
 * error, with the first lines of where; exits 1 if there is any. Broader than the random targets for the
 * simple mistakes, so it runs when the API changes, not in CI (about 30 s).
 */
import * as torch from '../../src/index.js';
import { libraryCallables, tensorCallables, make, type Arg } from './targets/api.js';
const T = (shape: number[], dtype: torch.DType = 'float32'): Arg => ({ t: 'tensor', shape, dtype, grad: false, view: 'none', fill: 'seq' });
const patterns: Arg[][] = [
  [], [{ t: 'undef' }], [{ t: 'null' }], [{ t: 'str', v: 'a' }], [{ t: 'num', v: 1.5 }], [{ t: 'num', v: NaN }], [{ t: 'opts', entries: [] }], [{ t: 'arr', items: [] }],
  [T([2, 3])], [T([2, 3]), { t: 'undef' }], [T([2, 3]), { t: 'str', v: 'a' }], [T([2, 3]), { t: 'null' }], [T([2, 3]), { t: 'opts', entries: [] }], [T([2, 3]), { t: 'num', v: -1 }],
  [T([2, 3]), { t: 'num', v: 1.5 }], [T([2, 3]), T([2, 3])], [T([2, 3]), T([2, 3]), { t: 'str', v: 'x' }], [T([]), { t: 'num', v: 0 }], [T([0]), { t: 'num', v: 0 }],
  [T([2, 3]), { t: 'arr', items: [{ t: 'str', v: 'a' }] }], [T([2, 3]), { t: 'num', v: 0 }, { t: 'str', v: 'a' }], [T([2, 3]), { t: 'num', v: 0 }, { t: 'num', v: 1.5 }],
  [T([2, 3]), { t: 'num', v: 2 ** 31 }], [{ t: 'num', v: 2 }, { t: 'num', v: 3 }], [{ t: 'arr', items: [{ t: 'num', v: 2 }] }, { t: 'str', v: 'a' }], [{ t: 'big' }], [T([2, 3]), { t: 'big' }],
  [{ t: 'fn', kind: 'identity' }], [{ t: 'fn', kind: 'tensor' }, T([2])], [{ t: 'module' }], [T([2, 3], 'int32'), T([2, 3], 'bool')],
  [{ t: 'num', v: 0 }, T([2])], [{ t: 'str', v: 'a' }, T([2])], [{ t: 'null' }, T([2])], [T([2]), { t: 'num', v: 0 }, T([2], 'int32')], [T([2, 3]), { t: 'num', v: 1 }, { t: 'undef' }, T([2])],
  [{ t: 'num', v: 2 }], [{ t: 'num', v: 2 }, { t: 'num', v: 3 }, { t: 'opts', entries: [] }], [T([4, 2]), T([4], 'int32')], [T([1, 2, 4, 4]), T([1, 2, 4, 4])],
];
// Valid-looking argument lists with one position replaced by something of the wrong kind.
const I = (shape: number[]): Arg => ({ t: 'tensor', shape, dtype: 'int32', grad: false, view: 'none', fill: 'index' });
const bases: Arg[][] = [[T([2, 3]), { t: 'num', v: 0 }], [T([2, 3]), T([2, 3])], [T([2, 3]), { t: 'num', v: 1 }, I([2, 3])], [T([2, 3]), I([2])], [T([2, 3]), { t: 'num', v: 0 }, { t: 'num', v: 1 }], [T([3, 3]), T([3, 3]), T([3, 3])], [T([1, 1, 4, 4]), T([2, 1, 3, 3])], [T([4, 3]), I([4])]];
const bad: Arg[] = [{ t: 'num', v: 0 }, { t: 'null' }, { t: 'str', v: 'a' }, { t: 'opts', entries: [] }, { t: 'undef' }, { t: 'arr', items: [{ t: 'num', v: 1 }] }];
for (const b of bases) for (let k = 0; k < b.length; k++) for (const x of bad) patterns.push(b.map((a, i) => (i === k ? x : a)));

const selfs: Arg[] = [T([2, 3]), T([]), T([0, 2]), T([2, 3], 'int32'), T([3], 'bool')];
const found = new Map<string, string[]>();
for (const c of [...tensorCallables(), ...libraryCallables()]) {
  for (const self of c.kind === 'method' ? selfs : [T([1])]) {
    for (const p of patterns) {
      torch.setGradEnabled(true); torch.setDefaultDevice('interp');
      const ts: torch.Tensor[] = [];
      try {
        const s = make(self, ts); const args = p.map((a) => make(a, ts));
        const f = c.get() as (...a: unknown[]) => unknown;
        const r = c.kind === 'new' ? Reflect.construct(f, args) : c.kind === 'method' ? f.apply(s, args) : f(...args);
        if (r instanceof torch.Tensor && r.numel() < 1000 && r.device === 'interp') { r.dataSync(); String(r); }
        if (r instanceof Promise) r.catch(() => {});
        if (typeof r === 'object' && r !== null && !(r instanceof torch.Tensor) && (r instanceof torch.nn.Module || r instanceof torch.optim.Optimizer || r instanceof torch.utils.data.Dataset || r instanceof torch.utils.data.DataLoader || r instanceof torch.optim.lrScheduler.LRScheduler || r instanceof torch.Generator || r instanceof torch.NDArray)) {
          const names = new Set<string>();
          for (let p = Object.getPrototypeOf(r); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && !k.startsWith('_') && typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function') names.add(k);
          for (const m of names) {
            for (const q of patterns.slice(0, 20)) {
              torch.setGradEnabled(true); torch.setDefaultDevice('interp');
              try {
                const r2 = (r as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!(...q.map((a) => make(a, ts)));
                if (r2 instanceof Promise) r2.catch(() => {});
                if (r2 instanceof torch.Tensor && r2.numel() < 1000 && r2.device === 'interp') { r2.dataSync(); String(r2); }
              } catch (e) {
                if (!(e instanceof torch.GraftError)) {
                  const key = `${c.name}#${m}`;
                  const msg = `${(e as Error)?.constructor?.name}: ${String((e as Error)?.message).slice(0, 100)} @ ${String((e as Error)?.stack).split('\n')[1]?.trim().replace(/.*\/src\//, '')}`;
                  const l = found.get(key) ?? []; if (!l.includes(msg) && l.length < 3) l.push(msg); found.set(key, l);
                }
              }
            }
          }
        }
      } catch (e) {
        if (!(e instanceof torch.GraftError)) {
          const key = `${c.name}`;
          const msg = `${(e as Error)?.constructor?.name}: ${String((e as Error)?.message).slice(0, 100)} @ ${String((e as Error)?.stack).split('\n')[1]?.trim().replace(/.*\/src\//, '')}`;
          const l = found.get(key) ?? []; if (!l.includes(msg) && l.length < 3) l.push(msg); found.set(key, l);
        }
      }
    }
  }
}
for (const [k, v] of found) console.log(k, '\n   ', v.join('\n    '));
console.log(found.size, 'callables with leaks');
process.exit(found.size ? 1 : 0);
