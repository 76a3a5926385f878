import { conformanceSuite } from './suite.js';

// Larger sizes for the compiled kernels' other code paths (cpu only: the interpreter would be slow here).
conformanceSuite('large');
