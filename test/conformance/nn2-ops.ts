/**
 * The nn2 fixture's module cases: `nn.Name` with arguments (constructor args, constructor kwargs, {parameter
 * name: tensor}, ...inputs). The module is built with PyTorch's arguments; its state dict must have each
 * parameter under PyTorch's name and shape (loaded through loadStateDict), then the given tensors are used as
 * its parameters (so the gradients reach them) and the module is called on the inputs.
 */
import * as torch from '../../src/index.js';
import type { OpFn } from './ops.js';

type Tensor = torch.Tensor;
const nn = torch.nn as unknown as Record<string, new (...a: unknown[]) => torch.nn.Module>;

function moduleOp(name: string): OpFn {
  return ([args, kwargs, params, ...inputs]) => {
    const Ctor = nn[name];
    if (typeof Ctor !== 'function') throw new Error(`graft has no torch.nn.${name}`);
    const kw = kwargs as Record<string, unknown>;
    const m = new Ctor(...(args as unknown[]), ...(Object.keys(kw).length ? [kw] : []));
    const ps = params as Record<string, Tensor>;
    const state = m.stateDict();
    for (const [k, v] of Object.entries(ps)) {
      const mine = state[k];
      if (!mine || mine.shape.join() !== v.shape.join()) throw new Error(`${name}: state dict has no '${k}' of shape [${v.shape}] (keys: ${Object.keys(state).join(', ')})`);
    }
    const { missingKeys } = m.loadStateDict(torch.noGrad(() => Object.fromEntries(Object.entries(ps).map(([k, v]) => [k, v.detach()]))), { strict: false });
    if (missingKeys.some((k) => !k.includes('running') && !k.includes('num_batches'))) throw new Error(`${name}: missing ${missingKeys.join(', ')}`);
    for (const [k, v] of Object.entries(ps)) (m as unknown as Record<string, Tensor>)[k] = v;
    return m.call(...inputs);
  };
}

export const NN2: Record<string, OpFn> = {
  // F.instance_norm(x, running_mean, running_var, use_input_stats=False, ...)
  instance_norm_eval: ([x, rm, rv], kw) => torch.nn.functional.instanceNorm(x as Tensor, rm as Tensor, rv as Tensor, { ...kw, useInputStats: false }),
};
for (const name of ['GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'Conv3d', 'Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d', 'PixelShuffle', 'PixelUnshuffle', 'Embedding', 'Unflatten', 'LayerNorm']) {
  NN2[`nn.${name}`] = moduleOp(name);
}
