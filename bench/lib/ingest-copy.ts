import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EventsRepository, type EventSource } from '../../src/analytics/events.repository.js';
import type { AnalyticsEventInput } from '../../src/analytics/analytics.schemas.js';
import type { ClientEvent } from './analytics-data.js';

/**
 * The COPY baseline of an HTTP phase, of the same rows: the same events, encoded by the API's own
 * encoder (EventsRepository.eventsCopy) with the source the API writes on each row (the producer's
 * user id, the generator's user agent, 127.0.0.1), and one `occurred_at` a 500 events as the API
 * gives a request's events sent without one. Only the id column is left to its identity default
 * (the API reserves the ids in a statement of its own). Built before the clock, as the HTTP phase's
 * bodies are: the baseline's clock holds only the COPY.
 */
export function sameRowsCopy(events: readonly ClientEvent[], batch: number, source: Omit<EventSource, 'now'>, now: number): { columns: string[]; blocks: string[] } {
  let columns: string[] = [];
  const blocks: string[] = [];
  for (let i = 0, k = 0; i < events.length; i += batch, k++) {
    const chunk = events.slice(i, i + batch) as unknown as AnalyticsEventInput[];
    const copy = EventsRepository.eventsCopy(chunk, chunk.map(() => '0'), { ...source, now: new Date(now + k) });
    if (columns.length === 0) columns = /\(([^)]+)\)/.exec(copy.statement)![1]!.split(', ').filter((c) => c !== 'id');
    blocks.push(copy.data.replace(/^0\t/gm, ''));
  }
  return { columns, blocks };
}

/**
 * `count` connections for copyBlocks, connected and warmed (a first statement) before a clock
 * starts: a new connection and a cold backend cost the first COPY ~10 ms the HTTP phase's warm pool
 * does not pay.
 */
export async function copyClients(databaseUrl: string, count: number): Promise<pg.Client[]> {
  return Promise.all(Array.from({ length: count }, async (_, k) => {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: `herald-bench-copy-${k}` });
    await client.connect();
    await client.query('SELECT count(*) FROM analytics_events WHERE false');
    return client;
  }));
}

/** COPY of ready-made blocks of rows, one source a client, side by side; resolves to the rows copied. */
export async function copyBlocks(clients: readonly pg.Client[], table: string, columns: readonly string[], sources: ReadonlyArray<readonly string[]>): Promise<number> {
  const counts = await Promise.all(sources.map(async (blocks, k) => {
    const copy = clients[k]!.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(blocks, { objectMode: false }), copy);
    return copy.rowCount;
  }));
  return counts.reduce((a, b) => a + b, 0);
}
