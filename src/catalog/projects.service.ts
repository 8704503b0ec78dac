import type { Db } from '../platform/db/client.js';
import { ForbiddenError, NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { indexInTx, indexManyInTx } from '../search/index.js';
import { actingBrand } from './catalog.owners.js';
import type { CreateProjectInput, ListProjectsQuery, UpdateProjectInput } from './catalog.schemas.js';
import { isAdmin, offsetOf, projectView, PUBLIC_PROJECT_STATUSES, type Actor, type Page, type ProjectView } from './catalog.views.js';
import type { ProfilesRepository } from './profiles.repository.js';
import type { OwnedProject, ProjectsRepository } from './projects.repository.js';

export const PROJECT_NOT_FOUND = 'Project not found';

/** Drafts and archived projects are seen only by their brand and admins; the rest by everyone. */
export const canSeeProject = (actor: Actor, project: OwnedProject) =>
  isAdmin(actor) || project.owner_user_id === actor.id || PUBLIC_PROJECT_STATUSES.includes(project.status);

/** A brand's projects: the brand's user and admins change them. */
export interface ProjectsServiceDeps {
  readonly db: Db;
  readonly projects: ProjectsRepository;
  readonly profiles: ProfilesRepository;
}

export class ProjectsService {
  constructor(private readonly deps: ProjectsServiceDeps) {}

  async create(actor: Actor, input: CreateProjectInput): Promise<ProjectView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const brand = await actingBrand(this.deps.profiles.in(tx), actor, input.brandId, 'create projects');
      const row = await this.deps.projects.in(tx).insert({ brandId: brand.id, title: input.title, description: input.description, status: input.status });
      await indexInTx(tx, 'project', row.id);
      return projectView(row);
    });
  }

  async get(actor: Actor, id: string): Promise<ProjectView> {
    return projectView(await this.visible(this.deps.projects, actor, id));
  }

  async list(actor: Actor, query: ListProjectsQuery): Promise<Page<ProjectView>> {
    if (query.brandId !== undefined && !isId(query.brandId)) return { items: [], total: 0 };
    const { rows, total } = await this.deps.projects.list(
      { brandId: query.brandId, status: query.status, visibleTo: isAdmin(actor) ? undefined : actor.id }, query.pageSize, offsetOf(query),
    );
    return { items: rows.map(projectView), total };
  }

  async update(actor: Actor, id: string, patch: UpdateProjectInput): Promise<ProjectView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const projects = this.deps.projects.in(tx);
      await this.owned(projects, actor, id);
      const row = (await projects.update(id, patch))!;
      await indexInTx(tx, 'project', id);
      return projectView(row);
    });
  }

  /** Its assets stay, unlinked (with new versions, and reindexed). */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const projects = this.deps.projects.in(tx);
      await this.owned(projects, actor, id);
      const detached = await projects.detachAssetsOfProject(id);
      await projects.delete(id);
      await indexInTx(tx, 'project', id);
      await indexManyInTx(tx, 'asset', detached);
    });
  }

  private async visible(projects: ProjectsRepository, actor: Actor, id: string, lock = false): Promise<OwnedProject> {
    const row = isId(id) ? await projects.find(id, { lock }) : undefined;
    if (!row || !canSeeProject(actor, row)) throw new NotFoundError(PROJECT_NOT_FOUND);
    return row;
  }

  private async owned(projects: ProjectsRepository, actor: Actor, id: string): Promise<OwnedProject> {
    const row = await this.visible(projects, actor, id, true);
    if (row.owner_user_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError();
    return row;
  }
}
