import { conformanceSuite } from './suite.js';

conformanceSuite('creation');
