import * as torch from '../../src/index.js';
import { libraryCallables, tensorCallables, make, type Arg } from './targets/api.js';
process.env.GRAFT_MAX_BUFFER_BYTES ??= String(64 << 20);
const T = (shape: number[], dtype: torch.DType = 'float32'): Arg => ({ t: 'tensor', shape, dtype, grad: false, view: 'none', fill: 'seq' });
const patterns: Arg[][] = [
  [], [{ t: 'undef' }], [{ t: 'null' }], [{ t: 'str', v: 'a' }], [{ t: 'num', v: 1.5 }], [{ t: 'num', v: NaN }], [{ t: 'opts', entries: [] }], [{ t: 'arr', items: [] }],
  [T([2, 3])], [T([2, 3]), { t: 'undef' }], [T([2, 3]), { t: 'str', v: 'a' }], [T([2, 3]), { t: 'null' }], [T([2, 3]), { t: 'opts', entries: [] }], [T([2, 3]), { t: 'num', v: -1 }],
  [T([2, 3]), { t: 'num', v: 1.5 }], [T([2, 3]), T([2, 3])], [T([2, 3]), T([2, 3]), { t: 'str', v: 'x' }], [T([]), { t: 'num', v: 0 }], [T([0]), { t: 'num', v: 0 }],
  [T([2, 3]), { t: 'arr', items: [{ t: 'str', v: 'a' }] }], [T([2, 3]), { t: 'num', v: 0 }, { t: 'str', v: 'a' }], [T([2, 3]), { t: 'num', v: 0 }, { t: 'num', v: 1.5 }],
  [T([2, 3]), { t: 'num', v: 2 ** 31 }], [{ t: 'num', v: 2 }, { t: 'num', v: 3 }], [{ t: 'arr', items: [{ t: 'num', v: 2 }] }, { t: 'str', v: 'a' }], [{ t: 'big' }], [T([2, 3]), { t: 'big' }],
  [{ t: 'fn', kind: 'identity' }], [{ t: 'fn', kind: 'tensor' }, T([2])], [{ t: 'module' }], [T([2, 3], 'int32'), T([2, 3], 'bool')],
];
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
