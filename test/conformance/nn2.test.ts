import { conformanceSuite } from './suite.js';

conformanceSuite('nn2');
