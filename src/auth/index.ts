// The public surface of auth (the dependency rule, docs/ARCHITECTURE.md).
export { authModule, type AuthModule, type AuthModuleDeps, type SessionsPort } from './auth.module.js';
