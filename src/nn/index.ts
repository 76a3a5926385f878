/**
 * torch.nn: Module and Parameter, the layers, the losses, containers, init and functional.
 */
export { Module } from './module.js';
export { Parameter } from './parameter.js';
export * as init from './init.js';
export * as functional from './functional/index.js';
export * as F from './functional/index.js';
export { Sequential, ModuleList } from './modules/container.js';
export { Identity, Linear, type FactoryOptions } from './modules/linear.js';
export { Conv1d, Conv2d, Conv3d, type ConvModuleOptions, type ConvTransposeModuleOptions, type PaddingMode } from './modules/conv.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, type MaxPoolModuleOptions, type AvgPoolModuleOptions } from './modules/pooling.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormModuleOptions, type LayerNormModuleOptions } from './modules/normalization.js';
export { Dropout } from './modules/dropout.js';
export { Embedding, type EmbeddingModuleOptions } from './modules/embedding.js';
export { Flatten, Unflatten } from './modules/flatten.js';
export { ReLU, Sigmoid, Tanh, GELU, SiLU, LeakyReLU, ELU, Softplus, Softmax, LogSoftmax } from './modules/activation.js';
export { MSELoss, L1Loss, SmoothL1Loss, HuberLoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, type ClassLossOptions } from './modules/loss.js';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell, type RNNModuleOptions, type RNNOptions, type RNNCellOptions } from './modules/rnn.js';
export { MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './modules/attention.js';
export { TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, type TransformerLayerOptions, type TransformerActivation } from './modules/transformer.js';
export * as utils from './utils/index.js';
export { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from './modules/conv-transpose.js';
export { GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type GroupNormModuleOptions, type InstanceNormModuleOptions } from './modules/group-norm.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle, type UpsampleModuleOptions } from './modules/upsample.js';
export { ModuleDict, ParameterList, ParameterDict } from './modules/dicts.js';
