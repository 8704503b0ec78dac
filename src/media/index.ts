// The public surface of media (the dependency rule, docs/ARCHITECTURE.md): its module, which the
// composition root gives the catalog's AssetMedia port and a notify port.
export { mediaModule, type MediaModule, type MediaModuleDeps } from './media.module.js';
