import type { ProcessRole } from './app.js';
import {
  COMMANDS, commandUsage, describeError, loadCommands, parseOptions, resolveCommand, USAGE, UsageError, type CommandName, type OptionValues,
} from './cli/index.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, flushLog, stdoutDestination } from './platform/logger.js';
import { isQueueName, QUEUE_NAMES, type QueueName } from './platform/queue/registry.js';
import { StartupError } from './platform/resources.js';

const ALL_ROLES: readonly ProcessRole[] = ['api', 'worker', 'scheduler'];
const ROLE_WORDS: Partial<Record<CommandName, readonly ProcessRole[]>> = {
  start: ALL_ROLES, all: ALL_ROLES, api: ['api'], worker: ['worker'], scheduler: ['scheduler'],
};

function queuesFrom(flag: string | boolean | undefined): QueueName[] {
  if (flag === undefined) return [...QUEUE_NAMES];
  const names = String(flag).split(',').map((q) => q.trim()).filter(Boolean);
  if (!names.length) throw new UsageError(`--queues needs at least one queue name; known: ${QUEUE_NAMES.join(', ')}`);
  const unknown = names.filter((q) => !isQueueName(q));
  if (unknown.length) throw new UsageError(`Unknown queue(s) ${unknown.join(', ')}; known: ${QUEUE_NAMES.join(', ')}`);
  return names as QueueName[];
}

async function runRoles(roles: readonly ProcessRole[], flags: OptionValues): Promise<void> {
  const queues = queuesFrom(flags.queues);
  const config = loadConfig();
  const { createApp } = await import('./app.js');
  const app = await createApp(config, { roles, queues, logger: createLogger(config.logLevel, stdoutDestination()) });
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
    let code = 0;
    try {
      await app.stop();
      app.log.info('herald stopped');
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      code = 1;
    }
    await flushLog(app.log);
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  try {
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    await flushLog(app.log);
    throw err;
  }
  if (app.url) console.log(`herald is listening on ${app.url}`);
}

async function main(argv: string[]): Promise<void> {
  const command = resolveCommand(argv);
  if (command.name === 'help') {
    parseOptions('help', command.rest, {});
    return void console.log(command.topic ? commandUsage(command.topic) : USAGE);
  }
  const { name } = command;
  const flags = parseOptions(name, command.rest, COMMANDS[name].options);
  if (flags.help) return void console.log(commandUsage(name));
  // The service's modules load only for a command that runs: help and usage errors stay instant.
  const { analyticsBackfillCommand, createUserCommand, migrateCommand, seedCommand } = await loadCommands();
  if (name === 'migrate') return migrateCommand();
  if (name === 'users create') return createUserCommand(flags);
  if (name === 'analytics backfill') return analyticsBackfillCommand(flags);
  if (name === 'seed') return seedCommand(flags);
  return runRoles(ROLE_WORDS[name]!, flags);
}

/** The config for describing an error, if it parses (a ConfigError has been reported already). */
function configIfValid(): Config | undefined {
  try {
    return loadConfig();
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(err.message);
    process.exit(2);
  }
  if (err instanceof ConfigError || err instanceof StartupError) {
    console.error(err.message);
    process.exit(1);
  }
  const config = configIfValid();
  console.error(describeError(err, config));
  // The trace is for whoever debugs herald itself, not for the operator's first start.
  if (config && ['debug', 'trace'].includes(config.logLevel)) console.error(err);
  process.exit(1);
});
