/** The narrow dtypes' cases on the compiled cpu device and on the reference interp device. */
import { conformanceSuite } from './suite.js';

conformanceSuite('dtypes');
conformanceSuite('dtypes', { device: 'interp' });
