// The health capability's public surface.
export { healthModule, type HealthModule } from './health.module.js';
