import { conformanceSuite } from './suite.js';

conformanceSuite('indexing');
