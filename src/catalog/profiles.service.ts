import type { Db } from '../platform/db/client.js';
import type { Role } from '../platform/db/schema.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/errors.js';
import { isId } from '../platform/http/validation.js';
import { indexBrandInTx, indexInTx, indexManyInTx } from '../search/index.js';
import type { UserLookup } from '../users/index.js';
import type { CreateBrandInput, CreateCreatorInput, ListBrandsQuery, ListCreatorsQuery, UpdateBrandInput, UpdateCreatorInput } from './catalog.schemas.js';
import { brandView, creatorView, isAdmin, offsetOf, type Actor, type BrandView, type CreatorView, type Page } from './catalog.views.js';
import type { ProfilesRepository } from './profiles.repository.js';
import type { ProjectsRepository } from './projects.repository.js';

export const CREATOR_NOT_FOUND = 'Creator not found';
export const BRAND_NOT_FOUND = 'Brand not found';
export const USER_NOT_FOUND = 'User not found';
export const ACT_FOR_OTHERS = 'Forbidden: only admins may act for another user';

/** Which account roles may hold each kind of profile. */
const PROFILE_ROLES: Record<'creator' | 'brand', readonly Role[]> = { creator: ['CREATOR', 'ADMIN'], brand: ['BRAND', 'ADMIN'] };

/**
 * Creator and brand profiles. Everyone signed in may read them; the profile's user and admins
 * may change them. A profile names the account it belongs to: non-admins only their own.
 */
export interface ProfilesServiceDeps {
  readonly db: Db;
  readonly profiles: ProfilesRepository;
  readonly projects: ProjectsRepository;
  /** An admin names the account a new profile belongs to. */
  readonly users: UserLookup;
}

export class ProfilesService {
  constructor(private readonly deps: ProfilesServiceDeps) {}

  async createCreator(actor: Actor, input: CreateCreatorInput): Promise<CreatorView> {
    const userId = await this.profileOwner(actor, input.userId, 'creator');
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await this.deps.profiles.in(tx).insertCreator({ userId, stageName: input.stageName, bio: input.bio, specialties: input.specialties });
      if (!row) throw new ConflictError('Creator profile already exists for this user');
      await indexInTx(tx, 'creator', row.id);
      return creatorView(row);
    });
  }

  async getCreator(id: string): Promise<CreatorView> {
    const row = isId(id) ? await this.deps.profiles.findCreator(id) : undefined;
    if (!row) throw new NotFoundError(CREATOR_NOT_FOUND);
    return creatorView(row);
  }

  /** The user a creator or brand profile belongs to, or null when there is no such profile. */
  async ownerOf(kind: 'creator' | 'brand', id: string): Promise<string | null> {
    if (!isId(id)) return null;
    const row = kind === 'creator' ? await this.deps.profiles.findCreator(id) : await this.deps.profiles.findBrand(id);
    return row?.user_id ?? null;
  }

  async listCreators(query: ListCreatorsQuery): Promise<Page<CreatorView>> {
    if (query.userId !== undefined && !isId(query.userId)) return { items: [], total: 0 };
    const { rows, total } = await this.deps.profiles.listCreators({ userId: query.userId, specialty: query.specialty }, query.pageSize, offsetOf(query));
    return { items: rows.map(creatorView), total };
  }

  async updateCreator(actor: Actor, id: string, patch: UpdateCreatorInput): Promise<CreatorView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const profiles = this.deps.profiles.in(tx);
      await this.ownedCreator(profiles, actor, id);
      const row = (await profiles.updateCreator(id, patch))!;
      await indexInTx(tx, 'creator', id);
      return creatorView(row);
    });
  }

  /** Deletes the profile with its assets and their licenses (cascade); their documents follow the creator's. */
  async deleteCreator(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const profiles = this.deps.profiles.in(tx);
      await this.ownedCreator(profiles, actor, id);
      await profiles.deleteCreator(id);
      await indexInTx(tx, 'creator', id);
    });
  }

  async createBrand(actor: Actor, input: CreateBrandInput): Promise<BrandView> {
    const userId = await this.profileOwner(actor, input.userId, 'brand');
    // Brands have no search document of their own: nothing to index until they change.
    const row = await this.deps.profiles.insertBrand({ userId, companyName: input.companyName });
    if (!row) throw new ConflictError('Brand profile already exists for this user');
    return brandView(row);
  }

  async getBrand(id: string): Promise<BrandView> {
    const row = isId(id) ? await this.deps.profiles.findBrand(id) : undefined;
    if (!row) throw new NotFoundError(BRAND_NOT_FOUND);
    return brandView(row);
  }

  async listBrands(query: ListBrandsQuery): Promise<Page<BrandView>> {
    if (query.userId !== undefined && !isId(query.userId)) return { items: [], total: 0 };
    const { rows, total } = await this.deps.profiles.listBrands({ userId: query.userId }, query.pageSize, offsetOf(query));
    return { items: rows.map(brandView), total };
  }

  async updateBrand(actor: Actor, id: string, patch: UpdateBrandInput): Promise<BrandView> {
    return this.deps.db.transaction().execute(async (tx) => {
      const profiles = this.deps.profiles.in(tx);
      await this.ownedBrand(profiles, actor, id);
      const row = (await profiles.updateBrand(id, patch))!;
      await indexBrandInTx(tx, id);
      return brandView(row);
    });
  }

  /**
   * Deletes the brand with its projects and licenses (cascade). The projects' assets are detached
   * first, with their versions bumped, and reindexed: their documents name the brand.
   */
  async deleteBrand(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const profiles = this.deps.profiles.in(tx);
      await this.ownedBrand(profiles, actor, id);
      const detached = await this.deps.projects.in(tx).detachAssetsOfBrand(id);
      await profiles.deleteBrand(id);
      await indexBrandInTx(tx, id);
      await indexManyInTx(tx, 'asset', detached);
    });
  }

  /** The account a new profile belongs to: the caller's, or (admins) the one named. */
  private async profileOwner(actor: Actor, userId: string | undefined, kind: 'creator' | 'brand'): Promise<string> {
    if (userId !== undefined && userId !== actor.id && !isAdmin(actor)) throw new ForbiddenError(ACT_FOR_OTHERS);
    const owner = userId === undefined || userId === actor.id ? actor : isId(userId) ? await this.deps.users.getUser(userId) : undefined;
    if (!owner) throw new NotFoundError(USER_NOT_FOUND);
    if (!PROFILE_ROLES[kind].includes(owner.role)) {
      throw new ForbiddenError(`Forbidden: a ${kind} profile needs a ${kind === 'creator' ? 'CREATOR' : 'BRAND'} or ADMIN account`);
    }
    return owner.id;
  }

  private async ownedCreator(profiles: ProfilesRepository, actor: Actor, id: string) {
    const row = isId(id) ? await profiles.lockCreator(id) : undefined;
    if (!row) throw new NotFoundError(CREATOR_NOT_FOUND);
    if (row.user_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError();
    return row;
  }

  private async ownedBrand(profiles: ProfilesRepository, actor: Actor, id: string) {
    const row = isId(id) ? await profiles.lockBrand(id) : undefined;
    if (!row) throw new NotFoundError(BRAND_NOT_FOUND);
    if (row.user_id !== actor.id && !isAdmin(actor)) throw new ForbiddenError();
    return row;
  }
}
