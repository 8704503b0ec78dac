import type pg from 'pg';

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements a service runs, summarised for a benchmark's JSON:
 * the node tree (types, index names, rows, time), the totals, and whether it is index-driven.
 */

/** A statement as the service sends it (inbox.repository.ts's builders): a name, SQL and values. */
export interface Statement {
  readonly name: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

export interface PlanSummary {
  /** True when the plan has $n in it: the cached generic plan a warm connection reuses. */
  readonly generic: boolean;
  readonly planningMs: number;
  readonly executionMs: number;
  readonly sharedHit: number;
  readonly sharedRead: number;
  /** One line per node, indented by depth: `Index Only Scan using notifications_feed_idx rows=90 heap=0 0.041 ms`. */
  readonly nodes: string[];
  readonly indexes: string[];
  readonly seqScans: number;
  readonly sorts: number;
  /** Every scan of `table` goes through one of the expected indexes, and none reads the whole table. */
  readonly indexDriven: boolean;
}

interface RawNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Heap Fetches'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: RawNode[];
}

interface RawPlan {
  Plan: RawNode & { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number };
  'Planning Time': number;
  'Execution Time': number;
}

/**
 * A literal for EXECUTE's arguments. Enough for what the inbox statements bind: uuids, numbers,
 * booleans, and arrays of enum labels (no commas, quotes or braces in them).
 */
function literal(client: pg.ClientBase, value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return client.escapeLiteral(`{${value.map(String).join(',')}}`);
  return client.escapeLiteral(String(value));
}

/**
 * The plan the service's connections run. The service sends named prepared statements, and
 * PostgreSQL may switch one to a generic plan from its sixth execution on; so this prepares the
 * statement on a pooled connection, executes it five times, and explains the sixth execution.
 */
export async function explainStatement(pool: pg.Pool, statement: Statement, table: string, indexes: readonly string[]): Promise<PlanSummary> {
  const client = await pool.connect();
  const name = `bench_${statement.name}`;
  try {
    await client.query(`PREPARE ${name} AS ${statement.text}`);
    const execute = `EXECUTE ${name}(${statement.values.map((v) => literal(client, v)).join(', ')})`;
    for (let i = 0; i < 5; i++) await client.query(execute);
    const { rows } = await client.query<{ 'QUERY PLAN': RawPlan[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${execute}`);
    return summarize(rows[0]!['QUERY PLAN'][0]!, table, indexes);
  } finally {
    await client.query(`DEALLOCATE ${name}`).catch(() => undefined);
    client.release();
  }
}

function summarize(raw: RawPlan, table: string, expected: readonly string[]): PlanSummary {
  const nodes: string[] = [];
  const indexes = new Set<string>();
  let seqScans = 0;
  let sorts = 0;
  let offIndex = 0;
  const walk = (node: RawNode, depth: number) => {
    const type = node['Node Type'];
    const index = node['Index Name'];
    if (index) indexes.add(index);
    if (type === 'Seq Scan') seqScans++;
    if (type.endsWith('Sort')) sorts++; // Sort, Incremental Sort
    // A scan of the table that is not through an expected index (Bitmap Heap Scans are fed by one).
    if (node['Relation Name'] === table && type !== 'Bitmap Heap Scan' && !(index && expected.includes(index))) offIndex++;
    if (type === 'Bitmap Index Scan' && !(index && expected.includes(index))) offIndex++;
    const heap = node['Heap Fetches'] === undefined ? '' : ` heap=${node['Heap Fetches']}`;
    const loops = (node['Actual Loops'] ?? 1) === 1 ? '' : ` loops=${node['Actual Loops']}`;
    // Rows read and then dropped by a Filter: for an Index Scan, heap rows fetched for nothing.
    const removed = node['Rows Removed by Filter'] ? ` removed=${node['Rows Removed by Filter']}` : '';
    const line = `${type}${index ? ` using ${index}` : ''} rows=${node['Actual Rows'] ?? 0}${removed}${loops}${heap}`;
    nodes.push(`${'  '.repeat(depth)}${line} ${(node['Actual Total Time'] ?? 0).toFixed(3)} ms`);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(raw.Plan, 0);
  return {
    generic: JSON.stringify(raw.Plan).includes('$1'),
    planningMs: Number(raw['Planning Time'].toFixed(3)),
    executionMs: Number(raw['Execution Time'].toFixed(3)),
    sharedHit: raw.Plan['Shared Hit Blocks'] ?? 0,
    sharedRead: raw.Plan['Shared Read Blocks'] ?? 0,
    nodes,
    indexes: [...indexes],
    seqScans,
    sorts,
    indexDriven: seqScans === 0 && offIndex === 0 && indexes.size > 0,
  };
}
