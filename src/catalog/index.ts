// The public surface of catalog (the dependency rule, docs/ARCHITECTURE.md): its module, and the
// port media works through (AssetMedia: an asset's file fields, re-indexed with every change) with
// the asset types and response schema that port's callers answer with. Everything else is the
// catalog's own business.
export { catalogModule, type CatalogModule, type CatalogModuleDeps } from './catalog.module.js';
export type { AssetMedia } from './asset-media.js';
export type { MediaPatch, OwnedAsset } from './assets.repository.js';
export { ASSET_NOT_FOUND } from './assets.service.js';
export { assetSchema } from './catalog.responses.js';
export { assetView, isAdmin, type Actor, type AssetRow, type AssetView } from './catalog.views.js';
