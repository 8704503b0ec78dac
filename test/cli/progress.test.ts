import { describe, expect, it } from 'vitest';
import { renderProgress } from '../../src/cli/progress.js';

describe('renderProgress', () => {
  it('draws a bar, a percentage, the count and what is being done', () => {
    expect(renderProgress(0, 4, '')).toBe(`[${'.'.repeat(30)}]   0% 0/4`);
    expect(renderProgress(1, 4, 'hourly-2025101803', 8)).toBe('[##......]  25% 1/4 hourly-2025101803');
    expect(renderProgress(4, 4, 'monthly-202510', 8)).toBe('[########] 100% 4/4 monthly-202510');
    expect(renderProgress(0, 0, '', 4)).toBe('[####] 100% 0/0');
  });
});
