import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from '../src/platform/net.js';

/**
 * A Redis master, its replica and a few sentinels on this machine (Debian's redis-server and
 * redis-sentinel), each its own process with its own folder and config file under `dir`: what the
 * Sentinel test (test/platform/redis-sentinel.test.ts) and the sentinel drill fail over. Plain
 * Node, no test runner: `track` lets the tests' leak check see the processes.
 */
export interface SentinelSetOptions {
  readonly dir: string;
  /** Master and replica ports. */
  readonly dataPorts: readonly [number, number];
  readonly sentinelPorts: readonly number[];
  readonly name?: string;
  /** How long a master may be silent before a sentinel calls it down (sentinel down-after-milliseconds). */
  readonly downAfterMs?: number;
  readonly failoverTimeoutMs?: number;
  /** requirepass/masterauth of the data nodes, and requirepass of the sentinels (herald's REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD). */
  readonly passwords?: { readonly data: string; readonly sentinel: string };
  readonly track?: (label: string, open: boolean) => void;
}

interface Node {
  readonly label: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

const HOST = '127.0.0.1';

export class SentinelSet {
  readonly name: string;
  private readonly nodes: Node[] = [];

  private constructor(private readonly options: SentinelSetOptions) {
    this.name = options.name ?? 'herald';
  }

  static async start(options: SentinelSetOptions): Promise<SentinelSet> {
    const set = new SentinelSet(options);
    try {
      await set.boot();
      return set;
    } catch (err) {
      await set.stop();
      throw err;
    }
  }

  get sentinels(): Array<{ host: string; port: number }> {
    return this.options.sentinelPorts.map((port) => ({ host: HOST, port }));
  }

  /** What herald needs to find the master through these sentinels. */
  get env(): Record<string, string> {
    const passwords: Record<string, string> = this.options.passwords ? { REDIS_PASSWORD: this.options.passwords.data, REDIS_SENTINEL_PASSWORD: this.options.passwords.sentinel } : {};
    return { REDIS_SENTINELS: this.sentinels.map((s) => `${s.host}:${s.port}`).join(','), REDIS_SENTINEL_NAME: this.name, ...passwords };
  }

  pids(): number[] {
    return this.nodes.filter(alive).map((n) => n.child.pid!);
  }

  /** The master's port as each live sentinel names it (null: that sentinel did not answer). */
  async mastersNamed(): Promise<Array<number | null>> {
    return Promise.all(this.options.sentinelPorts.map((port) => this.askSentinel(port, async (c) => {
      const reply = await c.call('SENTINEL', 'get-master-addr-by-name', this.name) as [string, string] | null;
      return reply ? Number(reply[1]) : null;
    })));
  }

  /** SIGKILLs the data node the sentinels name as master; returns its port. */
  async killMaster(): Promise<number> {
    const node = await this.masterNode();
    node.child.kill('SIGKILL');
    await node.exited;
    return node.port;
  }

  /**
   * SIGSTOPs the master: a hung or cut-off machine, whose connections stay open and silent (no
   * reset tells clients it is gone). `thaw` lets it run again.
   */
  async freezeMaster(): Promise<number> {
    const node = await this.masterNode();
    node.child.kill('SIGSTOP');
    return node.port;
  }

  thaw(port: number): void {
    this.nodes.find((n) => n.port === port && alive(n))?.child.kill('SIGCONT');
  }

  /** Starts a (killed) data node again as a replica of the current master; resolves once it is synced and the sentinels list it. */
  async restartAsReplica(port: number): Promise<void> {
    const master = await this.masterNode();
    this.launch('redis-server', port, [...dataArgs(this.options.dir, port, this.options.passwords?.data), '--replicaof', HOST, String(master.port)]);
    const ok = await waitFor(async () => {
      if (!((await this.askData(port, (c) => c.info('replication'))) ?? '').includes('master_link_status:up')) return false;
      const views = await Promise.all(this.options.sentinelPorts.map((sentinel) => this.askSentinel(sentinel, async (c) => {
        const replicas = await c.call('SENTINEL', 'replicas', this.name) as string[][];
        return replicas.some((fields) => fields[fields.indexOf('port') + 1] === String(port) && !/s_down|disconnected/.test(fields[fields.indexOf('flags') + 1] ?? ''));
      })));
      return views.every((v) => v === true);
    }, 30_000, 100);
    if (!ok) throw new Error(`the node on ${port} did not rejoin as a replica within 30 s`);
  }

  /** The failover is over: every sentinel names another master than `oldPort`, and it says it is one. */
  async failedOver(oldPort: number): Promise<boolean> {
    const named = await this.mastersNamed();
    const port = named[0];
    if (!port || port === oldPort || named.some((p) => p !== port)) return false;
    return (await this.askData(port, async (c) => (await c.call('ROLE') as [string])[0])) === 'master';
  }

  /** SIGTERM to every process still running (a frozen one is let run first); resolves once all have exited. */
  async stop(): Promise<void> {
    for (const node of this.nodes) {
      node.child.kill('SIGCONT');
      node.child.kill('SIGTERM');
    }
    await Promise.all(this.nodes.map((n) => n.exited));
  }

  private askData<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T | null> {
    return ask(port, run, this.options.passwords?.data);
  }

  private askSentinel<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T | null> {
    return ask(port, run, this.options.passwords?.sentinel);
  }

  private async masterNode(): Promise<Node> {
    const [named] = (await this.mastersNamed()).filter((p) => p !== null);
    const node = this.nodes.find((n) => n.port === named && alive(n));
    if (!node) throw new Error(`no live master (sentinels name ${String(named)})`);
    return node;
  }

  private async boot(): Promise<void> {
    const [masterPort, replicaPort] = this.options.dataPorts;
    await mkdir(this.options.dir, { recursive: true });
    this.launch('redis-server', masterPort, dataArgs(this.options.dir, masterPort, this.options.passwords?.data));
    this.launch('redis-server', replicaPort, [...dataArgs(this.options.dir, replicaPort, this.options.passwords?.data), '--replicaof', HOST, String(masterPort)]);
    const synced = await waitFor(async () => ((await this.askData(replicaPort, (c) => c.info('replication'))) ?? '').includes('master_link_status:up'), 20_000, 50);
    if (!synced) throw new Error(`the replica on ${replicaPort} did not sync with the master on ${masterPort}`);
    for (const port of this.options.sentinelPorts) {
      const folder = path.join(this.options.dir, `sentinel-${port}`);
      await mkdir(folder, { recursive: true });
      const file = path.join(folder, 'sentinel.conf');
      // Sentinel rewrites its own config file (what it learned of replicas and peers): one each.
      await writeFile(file, [
        `port ${port}`, `bind ${HOST}`, `dir ${folder}`, `logfile ${path.join(folder, 'sentinel.log')}`,
        `sentinel monitor ${this.name} ${HOST} ${masterPort} ${Math.floor(this.options.sentinelPorts.length / 2) + 1}`,
        `sentinel down-after-milliseconds ${this.name} ${this.options.downAfterMs ?? 1_000}`,
        `sentinel failover-timeout ${this.name} ${this.options.failoverTimeoutMs ?? 3_000}`,
        `sentinel parallel-syncs ${this.name} 1`,
        ...(this.options.passwords ? [
          `sentinel auth-pass ${this.name} ${this.options.passwords.data}`,
          // Sentinels with a requirepass authenticate to each other with it.
          `requirepass ${this.options.passwords.sentinel}`, `sentinel sentinel-pass ${this.options.passwords.sentinel}`,
        ] : []),
        '',
      ].join('\n'));
      this.launch('redis-sentinel', port, [file]);
    }
    // Ready when every sentinel knows the replica and its peers: only then can they agree on a failover.
    const peers = this.options.sentinelPorts.length - 1;
    const ready = await waitFor(async () => {
      const views = await Promise.all(this.options.sentinelPorts.map((port) => this.askSentinel(port, async (c) => {
        const fields = await c.call('SENTINEL', 'master', this.name) as string[];
        const get = (key: string) => Number(fields[fields.indexOf(key) + 1]);
        return get('num-slaves') >= 1 && get('num-other-sentinels') >= peers;
      })));
      return views.every((v) => v === true);
    }, 30_000, 100);
    if (!ready) throw new Error('the sentinels did not discover the replica and each other within 30 s');
  }

  private launch(binary: string, port: number, args: string[]): void {
    const child = spawn(binary, args, { stdio: 'ignore' });
    const label = `${binary} ${port} (pid ${child.pid})`;
    this.options.track?.(label, true);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        this.options.track?.(label, false);
        resolve();
      });
      child.once('error', () => resolve());
    });
    this.nodes.push({ label, port, child, exited });
  }
}

const alive = (node: Node) => node.child.exitCode === null && node.child.signalCode === null;

function dataArgs(dir: string, port: number, password?: string): string[] {
  const folder = path.join(dir, `redis-${port}`);
  return [
    ...(password ? ['--requirepass', password, '--masterauth', password] : []),
    '--port', String(port), '--bind', HOST, '--dir', dir, '--logfile', `${folder}.log`, '--dbfilename', `dump-${port}.rdb`,
    // BullMQ's requirement; no persistence: a killed master is not restarted here, its replica takes over.
    '--maxmemory-policy', 'noeviction', '--save', '', '--appendonly', 'no',
  ];
}

/** One command against a node; null when it does not answer. */
async function ask<T>(port: number, run: (client: Redis) => Promise<T>, password?: string): Promise<T | null> {
  const client = new Redis({ host: HOST, port, password, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await run(client);
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}
