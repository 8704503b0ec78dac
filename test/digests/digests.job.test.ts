import { describe, expect, it } from 'vitest';
import { scheduledTime } from '../../src/digests/digests.job.js';

describe('a scheduled digest run', () => {
  it('acts as of its scheduled minute, however late a worker picks it up', () => {
    const nine = Date.parse('2025-10-18T09:00:00.000Z');
    expect(scheduledTime({ timestamp: nine + 1_234, delay: 0 })).toEqual(new Date(nine));
    expect(scheduledTime({ timestamp: nine - 30_000, delay: 30_500 })).toEqual(new Date(nine));
    expect(scheduledTime({ timestamp: nine + 59_999, delay: 0 })).toEqual(new Date(nine));
  });
});
