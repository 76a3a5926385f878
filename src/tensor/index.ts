export * from './tensor.js';
export * from './grad-fn.js';
export * from './grad-mode.js';
export * from './creation.js';
export * from './elementwise.js';
export * from './convert.js';
export * from './ir-tools.js';
