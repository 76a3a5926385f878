/**
 * torch.nn.functional: stateless layers and losses (camelCase names: F.maxPool2d for F.max_pool2d).
 * Each is built from IR primitives, so it fuses, compiles and differentiates like everything else.
 */
export { relu, sigmoid, tanh, gelu, silu, leakyRelu, elu, softplus, softmax, logSoftmax, type GeluOptions, type SoftmaxOptions } from './activation.js';
export { linear } from './linear.js';
export { conv1d, conv2d, conv3d, type ConvOptions, type Padding } from './conv.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, type MaxPoolOptions, type AvgPoolOptions } from './pooling.js';
export { adaptiveAvgPool1d, adaptiveAvgPool2d, type AdaptiveSize } from './adaptive-pool.js';
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.js';
export { dropout, type DropoutOptions } from './dropout.js';
export { embedding, oneHot, type EmbeddingOptions } from './embedding.js';
// flatten and pad (all four modes) are the tensor layer's: torch.flatten, torch.nn.functional.pad.
export { flatten, pad, type PadOptions, type PadMode } from '../../tensor/index.js';
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type LossOptions,
  type BceOptions,
  type BceWithLogitsOptions,
} from './loss.js';
export { nllLoss, crossEntropy, type NllLossOptions, type CrossEntropyOptions } from './classification.js';
export type { Reduction } from './util.js';
export { scaledDotProductAttention, multiHeadAttentionForward, type ScaledDotProductAttentionOptions, type MultiHeadAttentionOptions } from './attention.js';
export { convTranspose1d, convTranspose2d, convTranspose3d, type ConvTransposeOptions } from './conv-transpose.js';
export { groupNorm, instanceNorm, type GroupNormOptions, type InstanceNormOptions } from './group-norm.js';
export { interpolate, type InterpolateOptions, type InterpolateMode } from './interpolate.js';
export { pixelShuffle, pixelUnshuffle } from './pixel-shuffle.js';
