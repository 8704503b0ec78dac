import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';
import type { BrandRow, CreatorRow } from './catalog.views.js';

/** Every update bumps the row's version (the search index keeps the newest) and its timestamp. */
export const BUMP = { version: sql<number>`version + 1`, updated_at: sql<Date>`now()` };

/** Creator and brand profiles: one of each per user at most. */
export class ProfilesRepository extends Repository {
  /** Undefined when the user already has a creator profile. */
  insertCreator(values: { userId: string; stageName: string; bio?: string; specialties?: string[] }): Promise<CreatorRow | undefined> {
    return this.db.insertInto('creators')
      .values({ user_id: values.userId, stage_name: values.stageName, bio: values.bio, specialties: values.specialties })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .returningAll().executeTakeFirst();
  }

  findCreator(id: string): Promise<CreatorRow | undefined> {
    return this.db.selectFrom('creators').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findCreatorByUser(userId: string): Promise<CreatorRow | undefined> {
    return this.db.selectFrom('creators').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Locks the row for the rest of the caller's transaction. */
  lockCreator(id: string): Promise<CreatorRow | undefined> {
    return this.db.selectFrom('creators').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async listCreators(filter: { userId?: string; specialty?: string }, limit: number, offset: number): Promise<{ rows: CreatorRow[]; total: number }> {
    const base = this.db.selectFrom('creators')
      .$if(filter.userId !== undefined, (qb) => qb.where('user_id', '=', filter.userId!))
      .$if(filter.specialty !== undefined, (qb) => qb.where(sql<boolean>`specialties @> ARRAY[${filter.specialty!}]::text[]`));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  updateCreator(id: string, patch: { stageName?: string; bio?: string; specialties?: string[] }): Promise<CreatorRow | undefined> {
    return this.db.updateTable('creators')
      .set({ stage_name: patch.stageName, bio: patch.bio, specialties: patch.specialties, ...BUMP })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteCreator(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('creators').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Undefined when the user already has a brand profile. */
  insertBrand(values: { userId: string; companyName: string }): Promise<BrandRow | undefined> {
    return this.db.insertInto('brands').values({ user_id: values.userId, company_name: values.companyName })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .returningAll().executeTakeFirst();
  }

  findBrand(id: string): Promise<BrandRow | undefined> {
    return this.db.selectFrom('brands').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findBrandByUser(userId: string): Promise<BrandRow | undefined> {
    return this.db.selectFrom('brands').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  lockBrand(id: string): Promise<BrandRow | undefined> {
    return this.db.selectFrom('brands').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async listBrands(filter: { userId?: string }, limit: number, offset: number): Promise<{ rows: BrandRow[]; total: number }> {
    const base = this.db.selectFrom('brands').$if(filter.userId !== undefined, (qb) => qb.where('user_id', '=', filter.userId!));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  updateBrand(id: string, patch: { companyName?: string }): Promise<BrandRow | undefined> {
    return this.db.updateTable('brands').set({ company_name: patch.companyName, ...BUMP }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteBrand(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('brands').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
