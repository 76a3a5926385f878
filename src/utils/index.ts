export * from './progress.js';
export * from './plot.js';
