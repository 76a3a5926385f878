import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn, optim, Tensor } from '../../src/index.js';
import { variantsOf } from '../../src/tensor/compile.js';

/** A small MLP with fixed weights (same values for every copy). */
function mlp(seed: number): nn.Module {
  torch.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
}

function data(step: number): [Tensor, Tensor] {
  torch.manualSeed(1000 + step);
  const x = torch.randn(6, 8);
  const y = torch.randint(0, 4, [6]);
  return [x.realize(), y.realize()];
}

function trainStep(net: nn.Module, opt: optim.Optimizer, x: Tensor, y: Tensor): Tensor {
  opt.zeroGrad();
  const loss = nn.functional.crossEntropy(net.call(x) as Tensor, y);
  loss.backward();
  opt.step();
  return loss;
}

const bits = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

describe('torch.compile: a training step replays exactly as eager', () => {
  for (const [name, make] of [
    ['SGD momentum', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01 })],
    ['AdamW + StepLR', (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.01, weightDecay: 0.1 })],
  ] as const) {
    it(name, () => {
      const eagerNet = mlp(1);
      const compiledNet = mlp(1);
      const eagerOpt = make(eagerNet.parameters());
      const compiledOpt = make(compiledNet.parameters());
      const scheds = name.includes('StepLR') ? [new optim.lr_scheduler.StepLR(eagerOpt, { stepSize: 3, gamma: 0.5 }), new optim.lr_scheduler.StepLR(compiledOpt, { stepSize: 3, gamma: 0.5 })] : [];
      const step = torch.compile((x: Tensor, y: Tensor) => trainStep(compiledNet, compiledOpt, x, y));
      for (let i = 0; i < 20; i++) {
        const [x, y] = data(i);
        const le = trainStep(eagerNet, eagerOpt, x, y);
        const lc = step(x, y);
        expect(bits(lc)).toEqual(bits(le));
        for (const s of scheds) s.step();
      }
      const pe = eagerNet.parameters();
      compiledNet.parameters().forEach((p, i) => expect(bits(p)).toEqual(bits(pe[i]!)));
      compiledNet.parameters().forEach((p, i) => expect(bits(p.grad!)).toEqual(bits(pe[i]!.grad!)));
      expect(step.stats.replays).toBeGreaterThanOrEqual(17);
      expect(step.stats.captures).toBeLessThanOrEqual(3);
    });
  }
});

describe('torch.compile: guards, capture again, randomness', () => {
  it('a new batch size captures again; each variant replays', () => {
    const net = mlp(2);
    const opt = new optim.SGD(net.parameters(), { lr: 0.05 });
    const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y));
    const eagerNet = mlp(2);
    const eagerOpt = new optim.SGD(eagerNet.parameters(), { lr: 0.05 });
    for (let i = 0; i < 8; i++) {
      const [x6, y6] = data(i);
      const [x, y] = i % 2 === 0 ? [x6, y6] : [x6.index('0:3').contiguous().realize(), y6.index('0:3').contiguous().realize()];
      expect(bits(step(x, y))).toEqual(bits(trainStep(eagerNet, eagerOpt, x, y)));
    }
    // the first call made the optimizer's learning-rate tensor (not kept), then one capture per batch size
    expect(step.stats).toEqual({ captures: 3, replays: 5, unsteady: 1 });
  });

  it('dropout draws fresh numbers at each replay, the same ones eager draws', () => {
    const make = (): nn.Module => {
      torch.manualSeed(3);
      return new nn.Sequential(new nn.Linear(8, 16), new nn.Dropout(0.5), new nn.Linear(16, 4));
    };
    const [a, b] = [make(), make()];
    const fwd = (net: nn.Module) => (x: Tensor) => (net.call(x) as Tensor).sum(1);
    const compiled = torch.compile(fwd(b));
    const outs = new Set<string>();
    const [x] = data(0);
    for (let i = 0; i < 5; i++) {
      torch.manualSeed(50 + i);
      const e = fwd(a)(x);
      torch.manualSeed(50 + i);
      const c = compiled(x);
      expect(bits(c)).toEqual(bits(e));
      outs.add(JSON.stringify(bits(c)));
    }
    expect(outs.size).toBe(5);
    expect(compiled.stats.replays).toBe(4);
  });

  it('eval() and noGrad are guards: switching captures again, switching back replays', () => {
    torch.manualSeed(4);
    const net = new nn.Sequential(new nn.Linear(8, 8), new nn.Dropout(0.5));
    const f = torch.compile((x: Tensor) => net.call(x) as Tensor);
    const [x] = data(1);
    const y1 = f(x);
    net.eval();
    const y2 = f(x);
    const y3 = f(x);
    expect(bits(y2)).toEqual(bits(y3));
    expect(bits(y2)).not.toEqual(bits(y1));
    net.train();
    f(x);
    expect(f.stats.captures).toBe(2);
    expect(f.stats.replays).toBe(2);
    torch.noGrad(() => f(x));
    expect(f.stats.captures).toBe(3);
  });

  it('a JS number that reaches the graph as an operand is a value of the program: the second value generalizes, later ones replay', () => {
    const f = torch.compile((x: Tensor, s: number) => x.mul(s).add(1));
    const x = torch.tensor([1, 2, 3]);
    expect(f(x, 2.5).tolist()).toEqual([3.5, 6, 8.5]);
    expect(f(x, 2.5).tolist()).toEqual([3.5, 6, 8.5]);
    expect(f(x, 0.25).tolist()).toEqual([1.25, 1.5, 1.75]);
    expect(f.stats).toMatchObject({ captures: 2, replays: 1 });
    // From here on any fractional number replays (values by hand: x*s+1, in float32).
    for (const s of [0.125, 3.75, -1.5, 1e-3]) expect(f(x, s).tolist()).toEqual([1, 2, 3].map((v) => Math.fround(Math.fround(v * Math.fround(s)) + 1)));
    expect(f.stats).toMatchObject({ captures: 2, replays: 5 });
    expect(variantsOf(f)).toHaveLength(1);
    // A value simplify treats as structure (x*1 = x, x*0.5 kept exact) and an integer capture again.
    expect(f(x, 1).tolist()).toEqual([2, 3, 4]);
    expect(f(x, 3).tolist()).toEqual([4, 7, 10]);
    expect(f.stats.captures).toBe(4);
  });

  it('a learning rate passed as a number updates parameters as eager does, without capturing per value', () => {
    const run = (p: Tensor, g: Tensor, lr: number, wd: number): void => {
      p.sub_(g.add(p.mul(wd)).mul(lr));
    };
    const f = torch.compile(run);
    const pc = torch.tensor([1, -2, 3, 0.5]);
    const pe = torch.tensor([1, -2, 3, 0.5]);
    const g = torch.tensor([0.3, 0.1, -0.2, 0.7]);
    for (let i = 0; i < 12; i++) {
      const lr = 0.1 / (1 + i);
      const wd = i < 6 ? 0.01 : 0.03;
      f(pc, g, lr, wd);
      run(pe, g, lr, wd);
      expect(pc.tolist()).toEqual(pe.tolist());
    }
    // lr generalizes at the second call; wd's change at call 7 generalizes it too.
    expect(f.stats.captures).toBe(3);
  });

  it('a number used in JS arithmetic stays guarded by value (each value captures, the program is reused)', () => {
    const f = torch.compile((x: Tensor, s: number) => x.mul(1 - s));
    const x = torch.tensor([2, 4]);
    for (const s of [0.25, 0.75, 0.125]) expect(f(x, s).tolist()).toEqual([2 * (1 - s), 4 * (1 - s)]);
    expect(f.stats).toMatchObject({ captures: 3, replays: 0 });
    expect(f(x, 0.75).tolist()).toEqual([0.5, 1]);
    expect(f.stats.replays).toBe(1);
  });

  it('arguments that share memory and arguments written in place', () => {
    const f = torch.compile((a: Tensor, b: Tensor) => {
      a.mul_(2);
      return a.add(b);
    });
    for (let i = 0; i < 3; i++) {
      const a = torch.tensor([1, 2]);
      const b = torch.tensor([10, 20]);
      expect(f(a, b).tolist()).toEqual([12, 24]);
      expect(a.tolist()).toEqual([2, 4]);
    }
    expect(f.stats.replays).toBe(2);
  });
});

describe('torch.compile: state updated in its own memory (donation)', () => {
  const memoryOf = (t: Tensor): ArrayBufferLike => (t._value!.arg as unknown as { ref: { host: ArrayBufferView } }).ref.host.buffer;

  for (const [name, make] of [
    ['SGD momentum', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01 })],
  ] as const) {
    it(`${name}: parameters and state keep their memory from replay to replay, values as eager`, () => {
      const eagerNet = mlp(3);
      const net = mlp(3);
      const eagerOpt = make(eagerNet.parameters());
      const opt = make(net.parameters());
      const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y));
      const mems: ArrayBufferLike[][] = [];
      for (let i = 0; i < 8; i++) {
        const [x, y] = data(i);
        expect(bits(step(x, y))).toEqual(bits(trainStep(eagerNet, eagerOpt, x, y)));
        mems.push(net.parameters().map(memoryOf));
      }
      // From the second replay on the weights are computed into the buffers the previous replay made. (A
      // value a kernel still reads after the update — the last bias, read by the loss's kernel, which the
      // schedule placed later — gets fresh memory: the program's order decides, `Program.canWriteInto`.)
      const weights = net.parameters().flatMap((p, j) => (p.dim() === 2 ? [j] : []));
      for (let i = 4; i < 8; i++) for (const j of weights) expect(mems[i]![j]).toBe(mems[3]![j]);
      const pe = eagerNet.parameters();
      net.parameters().forEach((p, i) => expect(bits(p)).toEqual(bits(pe[i]!)));
    });
  }

  it('a tensor read between replays keeps the values it read; the next replay writes elsewhere', () => {
    const net = mlp(4);
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y));
    for (let i = 0; i < 4; i++) step(...data(i));
    const w = net.parameters()[0]!;
    const seen = bits(w);
    const lazy = w.mul(1); // pending: reads w's buffer when computed
    const detached = w.detach();
    const mem = memoryOf(w);
    step(...data(4));
    expect(memoryOf(w)).not.toBe(mem);
    expect(bits(lazy)).toEqual(seen);
    expect(bits(w)).not.toEqual(seen);
    // detach() shares storage, as in PyTorch: it sees the update.
    expect(bits(detached)).toEqual(bits(w));
    // Those reads make the next replay write elsewhere too; with nothing read since, the one after writes in place.
    step(...data(5));
    const mem2 = memoryOf(w);
    step(...data(6));
    expect(memoryOf(w)).toBe(mem2);
  });

  it('state handed to JS (numpy()) between replays: its memory receives every later update', () => {
    const net = mlp(5);
    const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.5 });
    const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y));
    for (let i = 0; i < 3; i++) step(...data(i));
    const buf = opt.state.get(net.parameters()[2]!)!.momentumBuffer as Tensor;
    const view = buf.numpy().data as Float32Array;
    for (let i = 3; i < 6; i++) {
      const before = Array.from(view);
      step(...data(i));
      expect(Array.from(view)).toEqual(bits(buf));
      expect(Array.from(view)).not.toEqual(before);
    }
    expect(step.stats.replays).toBeGreaterThanOrEqual(4);
  });

  it('{ check: true } still compares against an eager run from the same state', () => {
    const net = mlp(6);
    const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
    const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y), { check: true });
    for (let i = 0; i < 5; i++) step(...data(i));
    expect(step.stats.replays).toBeGreaterThanOrEqual(2);
  });
});

describe('torch.compile: a compiled forward differentiated outside', () => {
  it('outputs carry autograd history: backward reaches parameters and inputs as eager does, bit for bit', () => {
    const net = mlp(7);
    const ref = mlp(7);
    const fwd = torch.compile((x: Tensor) => net.call(x) as Tensor);
    for (let i = 0; i < 4; i++) {
      const [x0] = data(i);
      const xc = x0.clone().requiresGrad_();
      const xe = x0.clone().requiresGrad_();
      net.zeroGrad();
      ref.zeroGrad();
      const yc = fwd(xc);
      const ye = ref.call(xe) as Tensor;
      expect(yc.requiresGrad).toBe(true);
      // The capturing call returns what `fn` built; replays, a function of the captured graph.
      if (i > 0) expect(yc.gradFn?.name).toBe('CompiledFunctionBackward');
      expect(bits(yc)).toEqual(bits(ye));
      yc.pow(2).sum().backward();
      ye.pow(2).sum().backward();
      expect(bits(xc.grad!)).toEqual(bits(xe.grad!));
      const pr = ref.parameters();
      net.parameters().forEach((p, j) => expect(bits(p.grad!)).toEqual(bits(pr[j]!.grad!)));
    }
    expect(fwd.stats).toMatchObject({ captures: 1, replays: 3 });
  });

  it('a training loop around a compiled forward trains as eager; a step that runs backward inside returns plain outputs', () => {
    const net = mlp(8);
    const ref = mlp(8);
    const fwd = torch.compile((x: Tensor) => net.call(x) as Tensor);
    const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    const optRef = new optim.SGD(ref.parameters(), { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 6; i++) {
      const [x, y] = data(i);
      opt.zeroGrad();
      optRef.zeroGrad();
      nn.functional.crossEntropy(fwd(x), y).backward();
      nn.functional.crossEntropy(ref.call(x) as Tensor, y).backward();
      opt.step();
      optRef.step();
    }
    const pr = ref.parameters();
    net.parameters().forEach((p, j) => expect(bits(p)).toEqual(bits(pr[j]!)));
    const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y));
    for (let i = 0; i < 3; i++) expect(step(...data(i)).gradFn).toBeNull();
  });

  it('with a number argument taken as a value, the gradient follows the value of each call', () => {
    const w = torch.tensor([1, 2, 3]).float().requiresGrad_();
    const f = torch.compile((x: Tensor, s: number) => x.mul(w).mul(s));
    const x = torch.tensor([0.5, 0.25, 2]);
    for (const s of [1.5, 2.5, 0.75, 3.25]) {
      w.grad = null;
      f(x, s).sum().backward();
      expect(w.grad!.tolist()).toEqual([0.5, 0.25, 2].map((v) => Math.fround(v * s)));
    }
    expect(f.stats.captures).toBe(2);
  });
});

describe('torch.compile: what cannot be replayed', () => {
  it('reading a value into JS inside the function is a CompileError naming the line; nothing changes', () => {
    const net = mlp(5);
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    const before = net.parameters().map(bits);
    const f = torch.compile((x: Tensor, y: Tensor) => {
      const loss = trainStep(net, opt, x, y);
      if (loss.item() > 100) throw new Error('diverged');
      return loss;
    });
    const [x, y] = data(0);
    let err: unknown;
    try {
      f(x, y);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(torch.CompileError);
    expect(String((err as Error).message)).toMatch(/item\(\)|reading its values/);
    expect(String((err as Error).message)).toMatch(/compile\.test\.ts:\d+/);
    expect(net.parameters().map(bits)).toEqual(before);
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('{ check: true } finds a step whose JS side changes between calls', () => {
    let calls = 0;
    const f = torch.compile(
      (x: Tensor) => {
        calls++;
        return calls % 3 === 0 ? x.mul(3) : x.mul(2);
      },
      { check: true },
    );
    const x = torch.tensor([1, 2]);
    expect(f(x).tolist()).toEqual([2, 4]);
    expect(f(x).tolist()).toEqual([2, 4]);
    expect(() => f(x)).toThrow(/differs between the replay and an eager run/);
  });

  it('refuses what is not a function, and unknown options', () => {
    expect(() => torch.compile(3 as never)).toThrow(torch.CompileError);
    expect(() => torch.compile((x: Tensor) => x, { chek: true } as never)).toThrow(/unexpected keyword argument 'chek'/);
  });
});

describe('torch.compile: define-then-run', () => {
  for (const [name, make] of [
    ['SGD momentum', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01 })],
  ] as const) {
    it(`compiles from specs before any data exists; the first call replays, as eager would compute (${name})`, () => {
      const net = mlp(6);
      const opt = make(net.parameters());
      const before = net.parameters().map(bits);
      const step = torch.compile((x: Tensor, y: Tensor) => trainStep(net, opt, x, y), {
        example: [torch.spec([6, 8], torch.float32), torch.spec([6], { dtype: torch.int64 })],
      });
      // nothing was computed or changed
      expect(net.parameters().map(bits)).toEqual(before);
      expect(net.parameters().every((p) => p.grad === null)).toBe(true);
      const eagerNet = mlp(6);
      const eagerOpt = make(eagerNet.parameters());
      for (let i = 0; i < 4; i++) {
        const [x, y] = data(i);
        expect(bits(step(x, y))).toEqual(bits(trainStep(eagerNet, eagerOpt, x, y)));
      }
      expect(step.stats.replays).toBe(4);
      const pe = eagerNet.parameters();
      net.parameters().forEach((p, i) => expect(bits(p)).toEqual(bits(pe[i]!)));
    });
  }

  it('torch.spec checks its arguments', () => {
    expect(() => torch.spec([2, -1])).toThrow(torch.GraftError);
    expect(() => torch.spec([2.5])).toThrow(torch.ArgumentError);
    expect(() => torch.spec([2], 'float17' as never)).toThrow(torch.DTypeError);
    expect(String(torch.spec([2, 3]))).toBe('TensorSpec([2, 3], float32, cpu)');
  });
});

describe('torch.compile: every optimizer replays (state in place, step counts and rates as tensors)', () => {
  const cases: [string, (ps: Tensor[]) => optim.Optimizer, ((o: optim.Optimizer) => { step(): void }) | null][] = [
    ['RMSprop centered momentum', (ps) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true }), null],
    ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }), null],
    ['Adadelta', (ps) => new optim.Adadelta(ps, { lr: 1, weightDecay: 0.01 }), null],
    ['Adamax', (ps) => new optim.Adamax(ps, { lr: 0.01 }), null],
    ['NAdam', (ps) => new optim.NAdam(ps, { lr: 0.01 }), null],
    ['RAdam', (ps) => new optim.RAdam(ps, { lr: 0.01 }), null],
    ['Adam + OneCycleLR (cycles lr and beta1)', (ps) => new optim.Adam(ps, { lr: 0.01 }), (o) => new optim.lr_scheduler.OneCycleLR(o, { maxLr: 0.05, totalSteps: 20 })],
    ['RMSprop momentum + OneCycleLR', (ps) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.9 }), (o) => new optim.lr_scheduler.OneCycleLR(o, { maxLr: 0.05, totalSteps: 20 })],
  ];
  for (const [name, make, sched] of cases) {
    it(name, () => {
      const [a, b] = [mlp(9), mlp(9)];
      const [oa, ob] = [make(a.parameters()), make(b.parameters())];
      const scheds = sched ? [sched(oa), sched(ob)] : [];
      const step = torch.compile((x: Tensor, y: Tensor) => trainStep(b, ob, x, y));
      for (let i = 0; i < 8; i++) {
        const [x, y] = data(i);
        expect(bits(step(x, y))).toEqual(bits(trainStep(a, oa, x, y)));
        for (const s of scheds) s.step();
      }
      const pa = a.parameters();
      b.parameters().forEach((p, i) => expect(bits(p)).toEqual(bits(pa[i]!)));
      expect(step.stats.captures).toBeLessThanOrEqual(2);
      expect(step.stats.replays).toBeGreaterThanOrEqual(6);
    });
  }
});
