import { conformanceSuite } from './suite.js';

conformanceSuite('autograd');
