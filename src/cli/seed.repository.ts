import { Repository } from '../platform/db/repository.js';
import type { DemoChunk } from './seed.js';

/** Rows per INSERT, well under PostgreSQL's 65,535 parameters per statement. */
const ROWS_PER_INSERT = 1_000;

/**
 * The demo data's writes: straight into the tables, set-based, in dependency order. The seed is a
 * bulk loader of made-up rows (thousands of users a second), not a user of the services' rules.
 */
export class SeedRepository extends Repository {
  async insertChunk(chunk: DemoChunk): Promise<void> {
    const many = async <T>(rows: T[], insert: (part: T[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await insert(rows.slice(i, i + ROWS_PER_INSERT));
    };
    await many(chunk.users, (part) => this.db.insertInto('users').values(part).execute());
    await many(chunk.creators, (part) => this.db.insertInto('creators').values(part).execute());
    await many(chunk.brands, (part) => this.db.insertInto('brands').values(part).execute());
    await many(chunk.projects, (part) => this.db.insertInto('projects').values(part).execute());
    await many(chunk.assets, (part) => this.db.insertInto('ip_assets').values(part).execute());
    await many(chunk.licenses, (part) => this.db.insertInto('licenses').values(part).execute());
    await many(chunk.posts, (part) => this.db.insertInto('blog_posts').values(part).execute());
  }
}
