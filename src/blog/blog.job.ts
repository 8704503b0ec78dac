import type { JobHandlers } from '../platform/queue/registry.js';
import type { BlogPublishingService } from './publishing.service.js';

export interface BlogPublishJobsDeps {
  readonly publishing: Pick<BlogPublishingService, 'publishScheduled' | 'reconcile'>;
}

export function blogPublishJobs({ publishing }: BlogPublishJobsDeps): JobHandlers['blog-publish'] {
  return {
    BlogPublish: (data) => publishing.publishScheduled(data.postId),
    BlogReconcile: (data) => publishing.reconcile(data.at ? new Date(data.at) : new Date()),
  };
}
