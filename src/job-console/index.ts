// The job console's public surface: the module for the composition root.
export { jobConsoleModule, type JobConsoleModule, type JobConsoleModuleDeps } from './job-console.module.js';
