// The analytics capability's public surface: its module (with the run-log port admin reads), the
// GeoIP opening the composition root does before any server starts, and what the CLI's backfill
// needs (the rollups over a database, the day parsing of its flags).
export { aggregationService, analyticsModule, openGeoIp, type AnalyticsModule, type AnalyticsModuleDeps } from './analytics.module.js';
export { DAY_MS, parseDay } from './analytics.periods.js';
