/** torch.nn.utils: gradient clipping, parameters as one vector, and (`rnn`) padding of sequences. */
export { clipGradNorm_, clipGradValue_ } from './clip-grad.js';
export { parametersToVector, vectorToParameters } from './convert-parameters.js';
export * as rnn from './rnn.js';
