import { sql } from 'kysely';
import { Repository } from '../platform/db/repository.js';

/** PostgreSQL's side of GET /api/health. */
export class HealthRepository extends Repository {
  /** One round trip: the server answers queries (a pool that cannot connect throws). */
  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }
}
