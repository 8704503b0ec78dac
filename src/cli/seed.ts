import { randomBytes, randomUUID } from 'node:crypto';
import { en, Faker } from '@faker-js/faker';
import type { Insertable } from 'kysely';
import { hashPassword } from '../platform/password.js';
import type { Db, Tx } from '../platform/db/client.js';
import {
  ASSET_TYPES, type AssetStatus, type BlogPostsTable, type BlogStatus, type BrandsTable, type CreatorsTable, type IpAssetsTable, type LicensesTable,
  type LicenseStatus, type ProjectsTable, type ProjectStatus, type Role, type UsersTable,
} from '../platform/db/schema.js';
import { indexManyInTx } from '../search/index.js';
import { SeedRepository } from './seed.repository.js';

/** Every demo account's password (printed once by the command). */
export const DEMO_PASSWORD = 'demo-password';
export const DEMO_DOMAIN = 'demo.herald.local';
/** Users per transaction: each chunk commits its users, their catalog and its index jobs together. */
const CHUNK_USERS = 250;

const SPECIALTIES = ['photography', 'illustration', 'music', 'sound design', 'animation', 'video', '3d modeling', 'typography', 'writing', 'voice over', 'ui design', 'painting'];
const TAGS = ['nature', 'city', 'portrait', 'abstract', 'retro', 'minimal', 'neon', 'ocean', 'forest', 'night', 'summer', 'winter', 'vintage', 'sport', 'food',
  'travel', 'studio', 'cinematic', 'ambient', 'loop', 'logo', 'pattern', 'texture', 'character', 'landscape', 'architecture', 'fashion', 'tech'];
const MIME: Record<(typeof ASSET_TYPES)[number], string> = {
  IMAGE: 'image/jpeg', VIDEO: 'video/mp4', AUDIO: 'audio/mpeg', DOCUMENT: 'application/pdf', THREE_D: 'model/gltf-binary', OTHER: 'application/octet-stream',
};

export interface SeedOptions {
  readonly users: number;
  /** Same seed, same content (names, titles, tags, statuses, relations); ids and emails differ per run. */
  readonly seed?: number;
  /** Makes this run's emails unique; random by default, so a second run adds users. */
  readonly suffix?: string;
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Reference time for the spread of created_at (now by default). */
  readonly now?: Date;
}

export interface SeedCounts {
  users: number;
  creators: number;
  brands: number;
  projects: number;
  assets: number;
  licenses: number;
  posts: number;
}

export interface DemoChunk {
  users: Array<Insertable<UsersTable> & { id: string }>;
  creators: Array<Insertable<CreatorsTable> & { id: string }>;
  brands: Array<Insertable<BrandsTable> & { id: string }>;
  projects: Array<Insertable<ProjectsTable> & { id: string }>;
  assets: Array<Insertable<IpAssetsTable> & { id: string }>;
  licenses: Array<Insertable<LicensesTable> & { id: string }>;
  posts: Array<Insertable<BlogPostsTable> & { id: string }>;
}

/**
 * No ADMIN accounts: a known password must never open an admin session, and an existing admin
 * would stop the first start from creating the configured one (users.service ensureFirstAdmin).
 */
const ROLE_WEIGHTS: Array<{ weight: number; value: Role }> = [{ weight: 45, value: 'CREATOR' }, { weight: 25, value: 'BRAND' }, { weight: 30, value: 'VIEWER' }];
const PROJECT_STATUS: Array<{ weight: number; value: ProjectStatus }> = [
  { weight: 50, value: 'ACTIVE' }, { weight: 20, value: 'DRAFT' }, { weight: 20, value: 'COMPLETED' }, { weight: 10, value: 'ARCHIVED' },
];
const ASSET_STATUS: Array<{ weight: number; value: AssetStatus }> = [{ weight: 70, value: 'PUBLISHED' }, { weight: 20, value: 'DRAFT' }, { weight: 10, value: 'ARCHIVED' }];
const LICENSE_STATUS: Array<{ weight: number; value: LicenseStatus }> = [
  { weight: 60, value: 'ACTIVE' }, { weight: 25, value: 'PENDING' }, { weight: 10, value: 'EXPIRED' }, { weight: 5, value: 'TERMINATED' },
];
const POST_STATUS: Array<{ weight: number; value: BlogStatus }> = [{ weight: 60, value: 'PUBLISHED' }, { weight: 30, value: 'DRAFT' }, { weight: 10, value: 'ARCHIVED' }];

/**
 * One chunk of demo data, users `first`..`first + count - 1` of the run, with every relation
 * inside the chunk (so a chunk commits on its own). Pure apart from the ids: all content comes
 * from `faker`, so a seeded faker gives the same content every time.
 */
export function generateDemoChunk(faker: Faker, first: number, count: number, ctx: { suffix: string; passwordHash: string; now: Date }): DemoChunk {
  const chunk: DemoChunk = { users: [], creators: [], brands: [], projects: [], assets: [], licenses: [], posts: [] };
  const past = () => faker.date.past({ years: 1, refDate: ctx.now });
  const after = (date: Date) => faker.date.between({ from: date, to: ctx.now });
  for (let i = first; i < first + count; i++) {
    const role = faker.helpers.weightedArrayElement(ROLE_WEIGHTS);
    const created = past();
    chunk.users.push({
      id: randomUUID(), email: `${role.toLowerCase()}${i}.${ctx.suffix}@${DEMO_DOMAIN}`, name: faker.person.fullName(), role,
      password_hash: ctx.passwordHash, created_at: created,
    });
  }
  for (const user of chunk.users) {
    const joined = user.created_at as Date;
    if (user.role === 'CREATOR') {
      const creator = {
        id: randomUUID(), user_id: user.id, stage_name: faker.helpers.maybe(() => faker.internet.username(), { probability: 0.4 }) ?? user.name!,
        bio: faker.lorem.sentences({ min: 1, max: 3 }), specialties: faker.helpers.arrayElements(SPECIALTIES, { min: 1, max: 3 }), created_at: joined, updated_at: joined,
      };
      chunk.creators.push(creator);
      for (let n = faker.number.int({ min: 2, max: 8 }); n > 0; n--) {
        const type = faker.helpers.arrayElement(ASSET_TYPES);
        const at = after(joined);
        chunk.assets.push({
          id: randomUUID(), creator_id: creator.id, project_id: null, type, status: faker.helpers.weightedArrayElement(ASSET_STATUS),
          title: faker.helpers.arrayElement([`${faker.word.adjective()} ${faker.word.noun()}`, faker.music.songName(), faker.commerce.productName()]),
          description: faker.lorem.paragraph(), tags: faker.helpers.arrayElements(TAGS, { min: 1, max: 5 }),
          mime_type: MIME[type], file_size: faker.number.int({ min: 20_000, max: 50_000_000 }),
          metadata: JSON.stringify({ source: 'seed', ...(type === 'IMAGE' ? { width: faker.number.int({ min: 640, max: 6000 }), height: faker.number.int({ min: 480, max: 4000 }) } : {}) }),
          created_at: at, updated_at: at,
        });
      }
    } else if (user.role === 'BRAND') {
      const brand = { id: randomUUID(), user_id: user.id, company_name: faker.company.name(), created_at: joined, updated_at: joined };
      chunk.brands.push(brand);
      for (let n = faker.number.int({ min: 1, max: 4 }); n > 0; n--) {
        const at = after(joined);
        chunk.projects.push({
          id: randomUUID(), brand_id: brand.id, title: `${faker.commerce.productAdjective()} ${faker.commerce.product()} campaign`,
          description: faker.lorem.sentences({ min: 1, max: 4 }), status: faker.helpers.weightedArrayElement(PROJECT_STATUS), created_at: at, updated_at: at,
        });
      }
    }
  }
  const open = chunk.projects.filter((p) => p.status === 'ACTIVE' || p.status === 'COMPLETED');
  for (const asset of chunk.assets) {
    if (open.length && faker.datatype.boolean({ probability: 0.3 })) asset.project_id = faker.helpers.arrayElement(open).id;
  }
  const published = chunk.assets.filter((a) => a.status === 'PUBLISHED');
  for (const brand of chunk.brands) {
    const licensed = published.length ? faker.helpers.arrayElements(published, { min: 0, max: Math.min(4, published.length) }) : [];
    for (const asset of licensed) {
      const starts = after(asset.created_at as Date);
      chunk.licenses.push({
        id: randomUUID(), asset_id: asset.id, brand_id: brand.id, status: faker.helpers.weightedArrayElement(LICENSE_STATUS),
        terms: faker.lorem.sentences(2), starts_at: starts, ends_at: faker.helpers.maybe(() => new Date(starts.getTime() + faker.number.int({ min: 30, max: 730 }) * 86_400_000), { probability: 0.7 }) ?? null,
        created_at: starts, updated_at: starts,
      });
    }
  }
  for (const author of chunk.users.filter((u) => u.role !== 'VIEWER')) {
    for (let n = faker.number.int({ min: 0, max: 2 }); n > 0; n--) {
      const status = faker.helpers.weightedArrayElement(POST_STATUS);
      const at = after(author.created_at as Date);
      chunk.posts.push({
        id: randomUUID(), author_id: author.id, title: faker.lorem.sentence({ min: 3, max: 8 }).replace(/\.$/, ''), excerpt: faker.lorem.sentence(),
        content: faker.lorem.paragraphs(3), status, announcement: faker.datatype.boolean({ probability: 0.05 }),
        assignee_id: faker.helpers.maybe(() => faker.helpers.arrayElement(chunk.users).id, { probability: 0.3 }) ?? null,
        published_at: status === 'PUBLISHED' ? at : null, created_at: at, updated_at: at,
      });
    }
  }
  return chunk;
}

/** The chunk's rows (SeedRepository), then their index jobs, in the chunk's transaction. */
async function insertChunk(tx: Tx, chunk: DemoChunk): Promise<void> {
  await new SeedRepository(tx).insertChunk(chunk);
  const ids = <T extends { id: string }>(rows: T[]) => rows.map((r) => r.id);
  await indexManyInTx(tx, 'creator', ids(chunk.creators));
  await indexManyInTx(tx, 'project', ids(chunk.projects));
  await indexManyInTx(tx, 'asset', ids(chunk.assets));
  await indexManyInTx(tx, 'license', ids(chunk.licenses));
  await indexManyInTx(tx, 'blog_post', ids(chunk.posts));
}

/**
 * Demo data for `herald seed`: users of every role (password DEMO_PASSWORD), creator and brand
 * profiles, projects, assets with tags, licenses and blog posts. Each chunk of users is one
 * transaction with its search-index jobs; a run never collides with an earlier one (its emails
 * carry the run's suffix).
 */
export async function seedDemoData(db: Db, options: SeedOptions): Promise<SeedCounts & { suffix: string }> {
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const suffix = options.suffix ?? randomBytes(3).toString('hex');
  const ctx = { suffix, passwordHash: await hashPassword(DEMO_PASSWORD), now: options.now ?? new Date() };
  const counts: SeedCounts = { users: 0, creators: 0, brands: 0, projects: 0, assets: 0, licenses: 0, posts: 0 };
  options.onProgress?.(0, options.users, 'users');
  for (let first = 1; first <= options.users; first += CHUNK_USERS) {
    const chunk = generateDemoChunk(faker, first, Math.min(CHUNK_USERS, options.users - first + 1), ctx);
    await db.transaction().execute((tx) => insertChunk(tx, chunk));
    for (const key of Object.keys(counts) as Array<keyof SeedCounts>) counts[key] += chunk[key].length;
    options.onProgress?.(counts.users, options.users, 'users');
  }
  return { ...counts, suffix };
}
