import type { Module } from '../platform/module.js';
import { webRoutes } from './web.routes.js';

/** The admin dashboard and the inbox page (static files and the inbox bundle). */
export function webModule() {
  return { jobs: {}, routes: (http) => webRoutes(http) } satisfies Module;
}
