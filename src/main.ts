import { ALL_ROLES, createApp, type ProcessRole } from './app.js';
import { parseArgs } from './cli/args.js';
import { analyticsBackfillCommand, createUserCommand, migrateCommand, seedCommand, USAGE } from './cli/commands.js';
import { ConfigError, loadConfig } from './config.js';
import { isQueueName, QUEUE_NAMES, type QueueName } from './platform/queue/registry.js';
import { StartupError } from './platform/resources.js';

const ROLE_WORDS: Record<string, readonly ProcessRole[]> = {
  start: ALL_ROLES, all: ALL_ROLES, api: ['api'], worker: ['worker'], scheduler: ['scheduler'],
};

function queuesFrom(flag: string | true | undefined): QueueName[] {
  if (flag === undefined || flag === true) return [...QUEUE_NAMES];
  const names = flag.split(',').map((q) => q.trim()).filter(Boolean);
  const unknown = names.filter((q) => !isQueueName(q));
  if (unknown.length) throw new StartupError(`Unknown queue(s) ${unknown.join(', ')}; known: ${QUEUE_NAMES.join(', ')}`);
  return names as QueueName[];
}

async function runRoles(roles: readonly ProcessRole[], flags: Record<string, string | true>): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, { roles, queues: queuesFrom(flags.queues) });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000);
    force.unref();
    try {
      await app.stop();
      app.log.info('herald stopped');
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  try {
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    throw err;
  }
  if (app.url) console.log(`herald is listening on ${app.url}`);
}

async function main(argv: string[]): Promise<void> {
  const { words, flags } = parseArgs(argv);
  const [command = 'start', sub] = words;
  if (command === 'help' || flags.help) return void console.log(USAGE);
  if (command === 'migrate') return migrateCommand();
  if (command === 'users' && sub === 'create') return createUserCommand(flags);
  if (command === 'analytics' && sub === 'backfill') return analyticsBackfillCommand(flags);
  if (command === 'seed') return seedCommand(flags);
  const roles = ROLE_WORDS[command];
  if (!roles) throw new StartupError(`Unknown command "${command}".\n\n${USAGE}`);
  return runRoles(roles, flags);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof StartupError;
  console.error(known ? (err as Error).message : err);
  process.exit(1);
});
