/** torch.aot: compiled steps saved ahead of time and loaded where no C compiler is. */
export { save, type AotSaveOptions } from './save.js';
export { load, type AotArtifact } from './load.js';
export { AOT_VERSION, type Manifest } from './manifest.js';
