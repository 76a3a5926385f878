export { vjp, dependents } from './vjp.js';
export { VJP_RULES, vjpRule, type VjpRule, type VjpContext, type GradThunk } from './rules.js';
export { substitute } from './substitute.js';
