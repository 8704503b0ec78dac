// The search capability's public surface: its module, and the enqueue port every capability that
// writes a searchable entity calls in its transaction.
export { searchModule, type SearchModule, type SearchModuleDeps } from './search.module.js';
export { indexBrandInTx, indexInTx, indexManyInTx } from './search.enqueue.js';
