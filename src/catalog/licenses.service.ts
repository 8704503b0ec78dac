import type { Notify } from '../notifications/index.js';
import type { Db } from '../platform/db/client.js';
import { ForbiddenError, InvalidError, NotFoundError } from '../platform/errors.js';
import { INVALID_BODY, isId } from '../platform/http/validation.js';
import { indexInTx } from '../search/index.js';
import type { AssetsRepository } from './assets.repository.js';
import { ASSET_NOT_FOUND, canSeeAsset } from './assets.service.js';
import { actingBrand } from './catalog.owners.js';
import type { CreateLicenseInput, ListLicensesQuery, UpdateLicenseInput } from './catalog.schemas.js';
import { isAdmin, licenseView, offsetOf, type Actor, type LicenseView, type Page } from './catalog.views.js';
import type { LicensesRepository, LicenseWithParties } from './licenses.repository.js';
import type { ProfilesRepository } from './profiles.repository.js';

export const LICENSE_NOT_FOUND = 'License not found';

const isParty = (actor: Actor, license: LicenseWithParties) => license.creator_user_id === actor.id || license.brand_user_id === actor.id;
/** The licensing brand's side: its user and admins. */
const isLicensor = (actor: Actor, license: LicenseWithParties) => isAdmin(actor) || license.brand_user_id === actor.id;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Licenses of an asset to a brand. Only the parties (the asset's creator and the brand) and
 * admins see one; the brand (or an admin) makes and edits it, either party may change its status.
 */
export interface LicensesServiceDeps {
  readonly db: Db;
  readonly licenses: LicensesRepository;
  readonly assets: AssetsRepository;
  readonly profiles: ProfilesRepository;
  /** The asset's creator hears of a new license. */
  readonly notifications: Notify;
}

export class LicensesService {
  constructor(private readonly deps: LicensesServiceDeps) {}

  /** The asset's creator hears of it (LICENSE) in the same transaction, unless they made it themselves. */
  async create(actor: Actor, input: CreateLicenseInput): Promise<LicenseView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const brand = await actingBrand(this.deps.profiles.in(tx), actor, input.brandId, 'license assets');
      const asset = isId(input.assetId) ? await this.deps.assets.in(tx).find(input.assetId) : undefined;
      if (!asset || !canSeeAsset(actor, asset)) throw new NotFoundError(ASSET_NOT_FOUND);
      const row = await this.deps.licenses.in(tx).insert({ ...input, assetId: asset.id, brandId: brand.id });
      await indexInTx(tx, 'license', row.id);
      if (asset.owner_user_id !== actor.id) {
        await this.deps.notifications.notify({
          userIds: [asset.owner_user_id], type: 'LICENSE',
          title: `New license for "${clip(asset.title, 120)}"`,
          message: `${brand.company_name} licensed your asset "${asset.title}" from ${row.starts_at.toISOString().slice(0, 10)}.`,
          actionUrl: `/licenses/${row.id}`,
          metadata: { licenseId: row.id, assetId: asset.id, brandId: brand.id, status: row.status },
          createdBy: actor.id,
        }, tx);
      }
      return licenseView(row);
    });
  }

  async get(actor: Actor, id: string): Promise<LicenseView> {
    const row = isId(id) ? await this.deps.licenses.find(id) : undefined;
    if (!row || !(isAdmin(actor) || isParty(actor, row))) throw new NotFoundError(LICENSE_NOT_FOUND);
    return licenseView(row);
  }

  async list(actor: Actor, query: ListLicensesQuery): Promise<Page<LicenseView>> {
    if ([query.assetId, query.brandId].some((v) => v !== undefined && !isId(v))) return { items: [], total: 0 };
    const { rows, total } = await this.deps.licenses.list({
      assetId: query.assetId, brandId: query.brandId, status: query.status, partyOf: isAdmin(actor) ? undefined : actor.id,
    }, query.pageSize, offsetOf(query));
    return { items: rows.map(licenseView), total };
  }

  /** The creator's side may change the status only; the dates are checked against the stored ones. */
  async update(actor: Actor, id: string, patch: UpdateLicenseInput): Promise<LicenseView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const licenses = this.deps.licenses.in(tx);
      const current = await this.visible(licenses, actor, id);
      if (!isLicensor(actor, current) && Object.keys(patch).some((key) => key !== 'status')) {
        throw new ForbiddenError('Forbidden: only the licensing brand may change a license other than its status');
      }
      const startsAt = patch.startsAt ?? current.starts_at;
      const endsAt = patch.endsAt === undefined ? current.ends_at : patch.endsAt;
      if (endsAt && endsAt <= startsAt) {
        throw new InvalidError(INVALID_BODY, [{ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' }]);
      }
      const row = (await licenses.update(id, patch))!;
      await indexInTx(tx, 'license', id);
      return licenseView(row);
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const licenses = this.deps.licenses.in(tx);
      const current = await this.visible(licenses, actor, id);
      if (!isLicensor(actor, current)) throw new ForbiddenError('Forbidden: only the licensing brand may delete a license');
      await licenses.delete(id);
      await indexInTx(tx, 'license', id);
    });
  }

  private async visible(licenses: LicensesRepository, actor: Actor, id: string): Promise<LicenseWithParties> {
    const row = isId(id) ? await licenses.find(id, { lock: true }) : undefined;
    if (!row || !(isAdmin(actor) || isParty(actor, row))) throw new NotFoundError(LICENSE_NOT_FOUND);
    return row;
  }
}
