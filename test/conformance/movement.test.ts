import { conformanceSuite } from './suite.js';

conformanceSuite('movement');
