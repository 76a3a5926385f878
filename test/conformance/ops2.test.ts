import { conformanceSuite } from './suite.js';

conformanceSuite('ops2');
