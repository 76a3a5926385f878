import { conformanceSuite } from './suite.js';

conformanceSuite('elementwise');
