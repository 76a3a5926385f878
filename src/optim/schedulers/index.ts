/** torch.optim.lr_scheduler: the schedulers of lr-scheduler.ts and those of this folder. */
export * from '../lr-scheduler.js';
export type { SchedulerStateDict } from './base.js';
export * from './linear.js';
export * from './exponential.js';
export * from './multistep.js';
export * from './lambda.js';
export * from './sequential.js';
export * from './warm-restarts.js';
export * from './one-cycle.js';
export * from './plateau.js';
