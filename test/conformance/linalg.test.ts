import { conformanceSuite } from './suite.js';

conformanceSuite('linalg');
