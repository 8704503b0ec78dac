// The blog capability's public surface.
export { blogModule, type BlogModule, type BlogModuleDeps } from './blog.module.js';
