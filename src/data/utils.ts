/** torch.utils: data loading, plus the progress bar and charts that training scripts use. */
export * as data from './index.js';
export * as progress from '../utils/progress.js';
export * as plot from '../utils/plot.js';
export { Progress } from '../utils/progress.js';
