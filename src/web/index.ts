// The web capability's public surface: the dashboard and inbox page routes.
export { webModule } from './web.module.js';
