/** torch.utils.data: datasets, collation and the DataLoader. */
export { Dataset, TensorDataset } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export { defaultCollate, type Collated } from './collate.js';
