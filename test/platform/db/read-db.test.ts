import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { failoverClient, isReplicaTrouble } from '../../../src/platform/db/read-db.js';

/** The failover of one read, app-free: fake pg clients that answer or fail as told. */
function fakeClient(name: string, answers: Array<Error | string>) {
  const released: unknown[] = [];
  const client = {
    query: async (text: string) => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return { command: 'SELECT', rowCount: 1, rows: [{ from: name, text, answer: next }] };
    },
    release: (arg?: unknown) => void released.push(arg ?? false),
  };
  return { client: client as unknown as pg.PoolClient, released };
}
const sqlError = (code: string) => Object.assign(new Error(code), { code });

function setUp(replicaAnswers: Array<Error | string>) {
  const replica = fakeClient('replica', replicaAnswers);
  const primary = fakeClient('primary', ['p1', 'p2']);
  const events: string[] = [];
  const client = failoverClient(replica.client, { connect: async () => primary.client }, { served: () => events.push('served'), fallback: () => events.push('fallback') });
  const run = async (text: string) => ((await client.query<{ from: string }>(text, [])).rows[0]!.from);
  return { client, run, events, replica, primary };
}

describe('isReplicaTrouble', () => {
  it('is the replica\'s trouble, not the statement\'s: connection, shutdown, resources, recovery conflicts', () => {
    for (const code of ['08006', '08001', '57P01', '57P02', '57P03', '53300', '40001', '40P01']) expect(isReplicaTrouble(sqlError(code)), code).toBe(true);
    expect(isReplicaTrouble(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isReplicaTrouble(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    for (const code of ['42P01', '42703', '22P02', '25006', '57014', '23505']) expect(isReplicaTrouble(sqlError(code)), code).toBe(false);
  });
});

describe('failoverClient', () => {
  it('runs a read on the replica when it answers', async () => {
    const { run, events, client, replica } = setUp(['r1']);
    expect(await run('SELECT 1')).toBe('replica');
    client.release();
    expect(events).toEqual(['served']);
    expect(replica.released).toEqual([false]);
  });

  it('runs the first statement again on the primary when the replica fails it, and stays there', async () => {
    const { run, events, client, replica, primary } = setUp([sqlError('57P01')]);
    expect(await run('SELECT 1')).toBe('primary');
    expect(await run('SELECT 2')).toBe('primary');
    client.release();
    expect(events).toEqual(['fallback']);
    // The broken replica connection is destroyed (released with its error), the primary's returned.
    expect(replica.released).toEqual([expect.objectContaining({ code: '57P01' })]);
    expect(primary.released).toEqual([false]);
  });

  it('lets a wrong statement fail, and never moves a later statement (a transaction) to the primary', async () => {
    const wrong = setUp([sqlError('42P01')]);
    await expect(wrong.run('SELECT * FROM nowhere')).rejects.toMatchObject({ code: '42P01' });
    expect(wrong.events).toEqual([]);
    const later = setUp(['begin', sqlError('08006')]);
    expect(await later.run('BEGIN')).toBe('replica');
    await expect(later.run('SELECT 1')).rejects.toMatchObject({ code: '08006' });
    expect(later.events).toEqual(['served']);
  });
});

describe('failoverClient when the primary cannot be reached either', () => {
  it('fails the read with the primary\'s error and releases nothing twice', async () => {
    // pg-pool throws when a client is released twice. The replica's client was released before
    // the primary was asked; when that failed too, Kysely's release released it again and its
    // throw replaced the read's error: 'Release called on client which has already been
    // released to the pool.', a 500 where both databases being down is the contract's 503.
    let releases = 0;
    const replica = {
      query: async () => { throw sqlError('57P01'); },
      release: () => {
        if ((releases += 1) > 1) throw new Error('Release called on client which has already been released to the pool.');
      },
    } as unknown as pg.PoolClient;
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const client = failoverClient(replica, { connect: async () => { throw down; } }, { served: () => undefined, fallback: () => undefined });
    await expect(client.query('SELECT 1', [])).rejects.toBe(down);
    expect(() => client.release()).not.toThrow();
    expect(releases).toBe(1);
  });
});
