import { Repository } from '../platform/db/repository.js';
import type { ProjectStatus } from '../platform/db/schema.js';
import { PUBLIC_PROJECT_STATUSES, type ProjectRow } from './catalog.views.js';
import { BUMP } from './profiles.repository.js';

/** A project with the user who owns it (its brand's user). */
export type OwnedProject = ProjectRow & { owner_user_id: string };

export interface ProjectFilter {
  brandId?: string;
  status?: ProjectStatus;
  /** Non-admins: public projects and the viewer's own; undefined sees everything. */
  visibleTo?: string;
}

export class ProjectsRepository extends Repository {
  insert(values: { brandId: string; title: string; description?: string; status?: ProjectStatus }): Promise<ProjectRow> {
    return this.db.insertInto('projects')
      .values({ brand_id: values.brandId, title: values.title, description: values.description, status: values.status })
      .returningAll().executeTakeFirstOrThrow();
  }

  /** With `lock`, the project row stays locked for the rest of the caller's transaction. */
  find(id: string, options: { lock?: boolean } = {}): Promise<OwnedProject | undefined> {
    return this.db.selectFrom('projects').innerJoin('brands', 'brands.id', 'projects.brand_id')
      .selectAll('projects').select('brands.user_id as owner_user_id')
      .where('projects.id', '=', id)
      .$if(options.lock === true, (qb) => qb.forUpdate('projects'))
      .executeTakeFirst();
  }

  /** Several projects at once (a bulk import's references). */
  findMany(ids: readonly string[]): Promise<OwnedProject[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('projects').innerJoin('brands', 'brands.id', 'projects.brand_id')
      .selectAll('projects').select('brands.user_id as owner_user_id')
      .where('projects.id', 'in', [...ids]).execute();
  }

  async list(filter: ProjectFilter, limit: number, offset: number): Promise<{ rows: ProjectRow[]; total: number }> {
    const base = this.db.selectFrom('projects').innerJoin('brands', 'brands.id', 'projects.brand_id')
      .$if(filter.brandId !== undefined, (qb) => qb.where('projects.brand_id', '=', filter.brandId!))
      .$if(filter.status !== undefined, (qb) => qb.where('projects.status', '=', filter.status!))
      .$if(filter.visibleTo !== undefined, (qb) => qb.where((eb) => eb.or([
        eb('projects.status', 'in', PUBLIC_PROJECT_STATUSES), eb('brands.user_id', '=', filter.visibleTo!),
      ])));
    const [rows, count] = await Promise.all([
      base.selectAll('projects').orderBy('projects.created_at', 'desc').orderBy('projects.id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  update(id: string, patch: { title?: string; description?: string; status?: ProjectStatus }): Promise<ProjectRow | undefined> {
    return this.db.updateTable('projects')
      .set({ title: patch.title, description: patch.description, status: patch.status, ...BUMP })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('projects').where('id', '=', id).execute();
  }

  /**
   * Unlinks the assets of projects about to be deleted, as an update with a new version (the
   * foreign key's SET NULL would change them without one). Returns the assets' ids.
   */
  async detachAssetsOfProject(projectId: string): Promise<string[]> {
    const rows = await this.db.updateTable('ip_assets').set({ project_id: null, ...BUMP }).where('project_id', '=', projectId).returning('id').execute();
    return rows.map((r) => r.id);
  }

  async detachAssetsOfBrand(brandId: string): Promise<string[]> {
    const rows = await this.db.updateTable('ip_assets').set({ project_id: null, ...BUMP })
      .where('project_id', 'in', (eb) => eb.selectFrom('projects').select('id').where('brand_id', '=', brandId))
      .returning('id').execute();
    return rows.map((r) => r.id);
  }
}
