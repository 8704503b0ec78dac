import { Repository } from '../platform/db/repository.js';
import type { LicenseStatus } from '../platform/db/schema.js';
import type { LicenseRow } from './catalog.views.js';
import { BUMP } from './profiles.repository.js';

/** A license with its two parties: the asset's creator's user and the brand's user. */
export type LicenseWithParties = LicenseRow & { creator_user_id: string; brand_user_id: string };

export interface LicenseFilter {
  assetId?: string;
  brandId?: string;
  status?: LicenseStatus;
  /** Non-admins: only licenses they are a party to; undefined sees everything. */
  partyOf?: string;
}

export interface LicensePatch {
  terms?: string;
  startsAt?: Date;
  endsAt?: Date | null;
  status?: LicenseStatus;
}

export class LicensesRepository extends Repository {
  insert(values: { assetId: string; brandId: string; terms?: string; startsAt: Date; endsAt?: Date | null; status?: LicenseStatus }): Promise<LicenseRow> {
    return this.db.insertInto('licenses').values({
      asset_id: values.assetId, brand_id: values.brandId, terms: values.terms, starts_at: values.startsAt, ends_at: values.endsAt ?? null, status: values.status,
    }).returningAll().executeTakeFirstOrThrow();
  }

  private withParties() {
    return this.db.selectFrom('licenses')
      .innerJoin('ip_assets', 'ip_assets.id', 'licenses.asset_id')
      .innerJoin('creators', 'creators.id', 'ip_assets.creator_id')
      .innerJoin('brands', 'brands.id', 'licenses.brand_id');
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<LicenseWithParties | undefined> {
    return this.withParties()
      .selectAll('licenses').select(['creators.user_id as creator_user_id', 'brands.user_id as brand_user_id'])
      .where('licenses.id', '=', id)
      .$if(options.lock === true, (qb) => qb.forUpdate('licenses'))
      .executeTakeFirst();
  }

  async list(filter: LicenseFilter, limit: number, offset: number): Promise<{ rows: LicenseRow[]; total: number }> {
    const base = this.withParties()
      .$if(filter.assetId !== undefined, (qb) => qb.where('licenses.asset_id', '=', filter.assetId!))
      .$if(filter.brandId !== undefined, (qb) => qb.where('licenses.brand_id', '=', filter.brandId!))
      .$if(filter.status !== undefined, (qb) => qb.where('licenses.status', '=', filter.status!))
      .$if(filter.partyOf !== undefined, (qb) => qb.where((eb) => eb.or([
        eb('creators.user_id', '=', filter.partyOf!), eb('brands.user_id', '=', filter.partyOf!),
      ])));
    const [rows, count] = await Promise.all([
      base.selectAll('licenses').orderBy('licenses.created_at', 'desc').orderBy('licenses.id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  update(id: string, patch: LicensePatch): Promise<LicenseRow | undefined> {
    return this.db.updateTable('licenses')
      .set({ terms: patch.terms, starts_at: patch.startsAt, ends_at: patch.endsAt, status: patch.status, ...BUMP })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('licenses').where('id', '=', id).execute();
  }
}
