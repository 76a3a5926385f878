import { conformanceSuite } from './suite.js';

conformanceSuite('reduction');
