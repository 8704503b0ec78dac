import type { Role } from '../platform/db/schema.js';
import { AppError, InvalidError } from '../platform/errors.js';
import { INVALID_BODY } from '../platform/http/validation.js';
import type { AnalyticsEventInput } from './analytics.schemas.js';

/**
 * Who may say what to analytics. Figures are money and reputation, so:
 * - server-side producers (`X-Analytics-Key`) and admins are trusted: any event type, revenue, and
 *   the attribution they send (a producer may report about entities herald does not hold);
 * - every other signed-in user is a browser: interaction events only (no conversion type, no
 *   `revenueCents`), only about entities they can see, and brand/creator/project are derived from
 *   the named entity, whatever the body says.
 */

/** Conversion events (they carry revenue): never from a browser. */
export const SERVER_ONLY_EVENT_TYPES: readonly string[] = ['license_created'];
export const CONVERSION_FORBIDDEN = 'Forbidden: conversion and revenue events come only from server-side producers';

export type Producer = { kind: 'user'; userId: string; role: Role } | { kind: 'key' };
export const isTrusted = (p: Producer) => p.kind === 'key' || p.role === 'ADMIN';

interface Issue { code: 'custom'; path: Array<string | number>; message: string }

/** A browser's conversion or revenue events: 403, naming each one. */
export function assertInteractionsOnly(events: readonly AnalyticsEventInput[]): void {
  const issues: Issue[] = [];
  events.forEach((e, i) => {
    if (SERVER_ONLY_EVENT_TYPES.includes(e.eventType)) issues.push({ code: 'custom', path: ['events', i, 'eventType'], message: 'a conversion event' });
    if (e.props && 'revenueCents' in e.props) issues.push({ code: 'custom', path: ['events', i, 'props', 'revenueCents'], message: 'revenue' });
  });
  if (issues.length) throw new AppError(403, CONVERSION_FORBIDDEN, issues);
}

export interface EntityIds { assetIds: string[]; projectIds: string[]; licenseIds: string[]; postIds: string[] }

export function entityIds(events: readonly AnalyticsEventInput[]): EntityIds {
  const of = (pick: (e: AnalyticsEventInput) => string | null | undefined) => [...new Set(events.map(pick).filter((v): v is string => !!v))];
  return { assetIds: of((e) => e.assetId), projectIds: of((e) => e.projectId), licenseIds: of((e) => e.licenseId), postIds: of((e) => e.postId) };
}

export interface Owners { brandId: string | null; creatorId: string | null; projectId: string | null }
export interface Visible {
  assets: ReadonlyMap<string, Owners>;
  projects: ReadonlyMap<string, Owners>;
  licenses: ReadonlyMap<string, Owners & { assetId: string }>;
  posts: ReadonlySet<string>;
}

/**
 * A browser's events with their attribution taken from the entities they name (the most specific
 * wins: license, then asset, then project). An entity the sender cannot see (or that does not
 * exist) is a 400 naming the field, the same answer for both so existence does not leak; so are
 * entities that do not belong together (a license with another asset).
 */
export function attributeFromEntities(events: readonly AnalyticsEventInput[], seen: Visible): AnalyticsEventInput[] {
  const issues: Issue[] = [];
  const out = events.map((e, i) => {
    const missing = (field: string) => issues.push({ code: 'custom', path: ['events', i, field], message: 'not found' });
    const license = e.licenseId ? seen.licenses.get(e.licenseId) : undefined;
    const asset = e.assetId ? seen.assets.get(e.assetId) : undefined;
    const project = e.projectId ? seen.projects.get(e.projectId) : undefined;
    if (e.licenseId && !license) missing('licenseId');
    if (e.assetId && !asset) missing('assetId');
    if (e.projectId && !project) missing('projectId');
    if (e.postId && !seen.posts.has(e.postId)) missing('postId');
    // The entities named must be one chain (license → its asset → its project): otherwise the asset's
    // figures would count an event whose brand and creator came from an unrelated license.
    const mismatch = (field: string, of: string) => issues.push({ code: 'custom', path: ['events', i, field], message: `does not match the ${of}` });
    if (license && e.assetId && e.assetId !== license.assetId) mismatch('assetId', 'license');
    if (license && e.projectId && e.projectId !== license.projectId) mismatch('projectId', 'license');
    if (!license && asset && e.projectId && e.projectId !== asset.projectId) mismatch('projectId', 'asset');
    const owners = license ?? asset ?? project ?? { brandId: null, creatorId: null, projectId: null };
    return { ...e, assetId: e.assetId ?? license?.assetId ?? null, brandId: owners.brandId, creatorId: owners.creatorId, projectId: owners.projectId };
  });
  if (issues.length) throw new InvalidError(INVALID_BODY, issues);
  return out;
}
