/** Test-wide setup: compiled kernels go to a test cache under the OS temp dir, shared by all test files. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.GRAFT_CACHE_DIR) process.env.GRAFT_CACHE_DIR = join(tmpdir(), 'graft-test-cache');
