import type { Notify } from '../notifications/index.js';
import type { Module, Platform } from '../platform/module.js';
import type { UserLookup } from '../users/index.js';
import { blogAdminRoutes } from './blog-admin.routes.js';
import { blogPublishJobs } from './blog.job.js';
import { BlogRepository } from './blog.repository.js';
import { blogRoutes } from './blog.routes.js';
import { BlogService } from './blog.service.js';
import { PublishingRepository } from './publishing.repository.js';
import { BlogPublishingService } from './publishing.service.js';

export interface BlogModuleDeps extends Pick<Platform, 'db' | 'queues' | 'config'> {
  readonly users: UserLookup;
  readonly notifications: Notify;
}

/** Blog posts and their scheduled publishing (a delayed job per post, a reconciler behind it). */
export function blogModule(deps: BlogModuleDeps) {
  const { db, queues, notifications } = deps;
  const posts = new BlogRepository(db);
  const blog = new BlogService({ db, posts, notifications, users: deps.users });
  const publishing = new BlogPublishingService({
    db, queues, posts, publishing: new PublishingRepository(db), notifications, graceMs: deps.config.blog.publishGraceMs,
  });
  return {
    blog,
    publishing,
    /** Ports: the posts of these ids an actor may see; the health of scheduled publishing. */
    visibleIds: (...args: Parameters<BlogService['visibleIds']>) => blog.visibleIds(...args),
    health: (now: Date) => publishing.health(now),
    jobs: { 'blog-publish': blogPublishJobs({ publishing }) },
    routes(http) {
      blogRoutes(http, { blog });
      blogAdminRoutes(http, { publishing });
    },
  } satisfies Module<'blog-publish'> & Record<string, unknown>;
}
export type BlogModule = ReturnType<typeof blogModule>;
