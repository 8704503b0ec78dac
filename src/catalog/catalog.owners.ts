import { ForbiddenError, InvalidError, NotFoundError } from '../platform/errors.js';
import { INVALID_BODY, isId } from '../platform/http/validation.js';
import { isAdmin, type Actor, type BrandRow, type CreatorRow } from './catalog.views.js';
import type { ProfilesRepository } from './profiles.repository.js';

/**
 * Who a new project, asset or license is made as. The caller's own profile by default; a
 * non-admin may name only their own (else 403), an admin any that exists (else 404), and an
 * admin without a profile of that kind must name one (400).
 */
async function actingProfile<R extends { id: string }>(
  actor: Actor, given: string | undefined, kind: { field: string; label: string; what: string },
  own: () => Promise<R | undefined>, byId: (id: string) => Promise<R | undefined>,
): Promise<R> {
  if (isAdmin(actor) && given !== undefined) {
    const row = isId(given) ? await byId(given) : undefined;
    if (!row) throw new NotFoundError(`${kind.label} not found`);
    return row;
  }
  const mine = await own();
  if (!mine) {
    if (isAdmin(actor)) throw new InvalidError(INVALID_BODY, [{ code: 'custom', path: [kind.field], message: `required for an admin without a ${kind.label.toLowerCase()} profile` }]);
    throw new ForbiddenError(`Forbidden: a ${kind.label.toLowerCase()} profile is required to ${kind.what}`);
  }
  if (given !== undefined && given !== mine.id) throw new ForbiddenError(`Forbidden: only admins may act for another ${kind.label.toLowerCase()}`);
  return mine;
}

export function actingBrand(profiles: ProfilesRepository, actor: Actor, brandId: string | undefined, what: string): Promise<BrandRow> {
  return actingProfile(actor, brandId, { field: 'brandId', label: 'Brand', what }, () => profiles.findBrandByUser(actor.id), (id) => profiles.findBrand(id));
}

export function actingCreator(profiles: ProfilesRepository, actor: Actor, creatorId: string | undefined, what: string): Promise<CreatorRow> {
  return actingProfile(actor, creatorId, { field: 'creatorId', label: 'Creator', what }, () => profiles.findCreatorByUser(actor.id), (id) => profiles.findCreator(id));
}
