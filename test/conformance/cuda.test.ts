/**
 * Conformance replay on the emulated `cuda:0` (GRAFT_CUDA_EMULATE=1): the same PyTorch fixtures the cpu
 * replays, with every tensor created on cuda (values, gradients, errors and their messages). Every CUDA module
 * the replay generates is also compiled by nvcc for sm_90.
 */
import '../runtime/cuda-env.js';
import { CudaDevice, getDevice } from '../../src/runtime/index.js';
import { gateModulesOf } from '../runtime/cuda-nvcc.js';
import { conformanceSuite } from './suite.js';

gateModulesOf(getDevice('cuda:0') as CudaDevice);

/**
 * Checks of values that nn makes where the values are already in host memory (nn/functional/util.ts's
 * knownValues: no synchronization for a check). On cuda they are not made, as on PyTorch's CUDA, where these
 * cases are device-side asserts rather than the cpu's errors: a loss is NaN; an embedding's index out of range
 * is caught by the kernel (IndexError, the interpreter's message rather than "index out of range in self");
 * one_hot's classes are not checked against num_classes.
 */
const HOST_ONLY_CHECKS = new Set([
  'cross_entropy/target-out-of-range',
  'nll_loss/negative-label',
  'binary_cross_entropy/out-of-range',
  'embedding/out-of-range',
  'one_hot/too-small',
]);

for (const category of ['elementwise', 'reduction', 'indexing', 'autograd', 'movement', 'loss', 'nn', 'nn2', 'linalg']) {
  conformanceSuite(category, { device: 'cuda', filter: (c) => !HOST_ONLY_CHECKS.has(c.id) });
}
