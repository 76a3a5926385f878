import { conformanceSuite } from './suite.js';

conformanceSuite('ops2');
conformanceSuite('ops2', { device: 'interp' });
