/** torch.utils: only torch.utils.data for now. */
export * as data from './index.js';
