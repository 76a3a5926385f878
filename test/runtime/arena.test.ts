import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn, optim, Tensor } from '../../src/index.js';
import { arenaLayout } from '../../src/runtime/arena.js';
import type { ProgramPlan } from '../../src/compiler/plan.js';
import { DTYPE_INFO } from '../../src/ir/index.js';
import { variantsOf } from '../../src/tensor/compile.js';

class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  pool = new nn.MaxPool2d(2);
  fc1 = new nn.Linear(400, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: Tensor): Tensor {
    const F = nn.functional;
    x = this.pool.call(F.relu(this.conv1.call(x)));
    x = this.pool.call(F.relu(this.conv2.call(x)));
    x = F.relu(this.fc1.call(x.flatten(1)));
    return this.fc3.call(F.relu(this.fc2.call(x)));
  }
}

/** Lifetimes by hand, from the steps: [first step, last step] of each slot the arena holds. */
function lifetimes(plan: ProgramPlan): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const last = plan.steps.length;
  plan.steps.forEach((st, i) => {
    if (st.op === 'alloc' && ['temp', 'assign'].includes(plan.slots[st.slot]!.role.kind)) out.set(st.slot, [i, last]);
    if (st.op === 'free' && out.has(st.slot) && plan.slots[st.slot]!.role.kind === 'temp') out.get(st.slot)![1] = i;
    if (st.op === 'run') {
      for (const s of plan.kernels[st.kernel]!.args) {
        if (plan.slots[s]!.role.kind !== 'scratch') continue;
        const r = out.get(s);
        if (r) r[1] = i;
        else out.set(s, [i, i]);
      }
    }
  });
  return out;
}

describe('the arena of a program: working memory shared by liveness', () => {
  torch.manualSeed(0);
  const net = new LeNet();
  const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
  const step = torch.compile(
    (x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(net.call(x) as Tensor, y);
      loss.backward();
      opt.step();
      return loss;
    },
    { example: [torch.spec([64, 1, 28, 28]), torch.spec([64], torch.int64)] },
  );
  const program = variantsOf(step)![0]!.program;
  const plan = program.plan;
  const layout = arenaLayout(plan);
  const bytes = (s: number): number => plan.slots[s]!.numel * DTYPE_INFO[plan.slots[s]!.dtype].bytes;

  it('slots alive at the same time never share bytes; every slot is 64-byte aligned', () => {
    const life = [...lifetimes(plan)];
    expect(life.length).toBeGreaterThan(10);
    for (const [s] of life) {
      expect(layout.offsets[s]! % 64).toBe(0);
      expect(layout.offsets[s]! + bytes(s)).toBeLessThanOrEqual(layout.bytes);
    }
    for (let i = 0; i < life.length; i++) {
      for (let j = i + 1; j < life.length; j++) {
        const [a, [a0, a1]] = life[i]!;
        const [b, [b0, b1]] = life[j]!;
        if (a1 < b0 || b1 < a0) continue;
        const disjoint = layout.offsets[a]! + bytes(a) <= layout.offsets[b]! || layout.offsets[b]! + bytes(b) <= layout.offsets[a]!;
        expect(disjoint, `slots ${a} and ${b} are alive together and overlap`).toBe(true);
      }
    }
  });

  it("a LeNet step's peak is within 1.2x of its live tensors and the largest set of intermediates alive at once", () => {
    const peak = program.peakBytes;
    expect(step.memory()).toEqual(peak);
    expect(layout.bytes).toBeLessThan(layout.separate);
    const bound = peak.inputs + peak.outputs + layout.peakLive;
    expect(peak.total).toBeLessThanOrEqual(1.2 * bound);
    expect(layout.bytes).toBeGreaterThanOrEqual(layout.peakLive - 64 * plan.slots.length);
  });

  it('the step computes the same values with its intermediates in one arena (a compiled step replays exactly as eager)', () => {
    torch.manualSeed(0);
    const twin = new LeNet();
    const twinOpt = new optim.Adam(twin.parameters(), { lr: 1e-3 });
    for (let i = 0; i < 3; i++) {
      torch.manualSeed(10 + i);
      const x = torch.randn(64, 1, 28, 28).realize();
      const y = torch.randint(0, 10, [64]).realize();
      twinOpt.zeroGrad();
      const eager = nn.functional.crossEntropy(twin.call(x) as Tensor, y);
      eager.backward();
      twinOpt.step();
      expect(step(x, y).item()).toBe(eager.item());
    }
  });
});
