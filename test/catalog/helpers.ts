import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Role } from '../../src/platform/db/schema.js';
import type { Session, TestApp } from '../helpers/context.js';

let counter = 0;

/** A signed-in user of the role with a profile made through the API. */
export async function withCreator(t: TestApp, stageName = `Creator ${++counter}`): Promise<{ session: Session; creatorId: string }> {
  const session = await t.user('CREATOR');
  const res = await t.call('POST', '/api/creators', { as: session, body: { stageName } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { session, creatorId: res.body.data.id };
}

export async function withBrand(t: TestApp, companyName = `Brand ${++counter}`): Promise<{ session: Session; brandId: string }> {
  const session = await t.user('BRAND');
  const res = await t.call('POST', '/api/brands', { as: session, body: { companyName } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { session, brandId: res.body.data.id };
}

/** Creates through the API and returns the data, failing the test on anything but 201. */
export async function created(t: TestApp, path: string, as: Session, body: unknown): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await t.call('POST', path, { as, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

export interface SearchJob { queue: string; payload: { entityType: string; entityId?: string; entityIds?: string[] } }

/** The search-index outbox rows naming an entity (one job each, or a bulk job listing it). */
export async function searchJobsFor(t: TestApp, entityId: string): Promise<SearchJob[]> {
  const rows = await sql<SearchJob>`
    SELECT queue, payload FROM outbox
    WHERE queue LIKE 'search-index-%' AND (payload->>'entityId' = ${entityId} OR payload->'entityIds' ? ${entityId})
    ORDER BY id`.execute(t.app.database.db);
  return rows.rows;
}

export async function searchJobCount(t: TestApp): Promise<number> {
  const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE queue LIKE 'search-index-%'`.execute(t.app.database.db);
  return rows.rows[0]!.n;
}

/** The recipient's notifications of one type, read back through the inbox API. */
export async function inbox(t: TestApp, as: Session, type: string): Promise<Array<Record<string, any>>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await t.call('GET', `/api/notifications?type=${type}&pageSize=100`, { as });
  expect(res.status).toBe(200);
  return res.body.data;
}

export const users = (t: TestApp, ...roles: Role[]) => Promise.all(roles.map((role) => t.user(role)));
