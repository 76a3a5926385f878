/**
 * The conformance cases on the reference `interp` device (the compiled `cpu` device runs them all in the
 * per-category suites). Every case runs here too where it is cheap; this checks that both devices give
 * PyTorch's answers, not only that they agree with each other.
 */
import { conformanceSuite } from './suite.js';

for (const category of ['creation', 'elementwise', 'reduction', 'movement', 'indexing', 'linalg', 'autograd', 'nn', 'loss', 'printing', 'nn2']) {
  conformanceSuite(category, { device: 'interp' });
}
