// The admin capability's public surface: what the composition root and other capabilities may use.
export { adminModule, type AdminModule, type AdminModuleDeps } from './admin.module.js';
