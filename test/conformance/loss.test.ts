import { conformanceSuite } from './suite.js';

conformanceSuite('loss');
