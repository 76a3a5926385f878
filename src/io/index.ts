export { save, load, saveFile, loadFile, loadMetadata, serialize, deserialize, type SaveOptions, type LoadOptions } from './save.js';
export { saveNpy, loadNpy, toNpy, fromNpy, type NpyLoadOptions } from './npy.js';
export type { Saveable } from './state.js';
