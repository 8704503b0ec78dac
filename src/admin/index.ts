// The admin capability's public surface: what the composition root and other capabilities may use.
export { adminModule, type AdminModule, type AdminModuleDeps } from './admin.module.js';
/** The audit log's port: media's preview re-runs record themselves in it, in their transaction. */
export { AuditRepository, type AuditEntry } from './audit.repository.js';
