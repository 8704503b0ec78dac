import { afterAll, expect } from 'vitest';
import { openResources } from './resources.js';

// A test file that leaves an app (server, workers, queues) or a helper process open fails here.
afterAll(() => {
  expect([...openResources], 'resources left open by this test file').toEqual([]);
});
