import { conformanceSuite } from './suite.js';

conformanceSuite('printing');
