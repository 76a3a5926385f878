export * from './optimizer.js';
export * from './sgd.js';
export * from './adam.js';
export * as lr_scheduler from './lr-scheduler.js';
export * as lrScheduler from './lr-scheduler.js';
