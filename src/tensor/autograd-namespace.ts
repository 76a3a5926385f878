/** `torch.autograd`: the functional autograd API and the legacy Variable wrapper. */
export { backward, grad, Variable, type BackwardOptions, type GradOptions, type VariableOptions } from './autograd.js';
