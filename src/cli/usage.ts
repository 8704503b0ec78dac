import { splitCommand, UsageError, type OptionSpec } from './args.js';

/** One command of the CLI: how it is called, what it does, and the only options it accepts. */
export interface CommandSpec {
  readonly synopsis: string;
  readonly about: string;
  readonly options: OptionSpec;
  readonly details?: string;
}

const ROLE_DETAILS = 'Runs until SIGTERM/SIGINT, then drains HTTP and hands back active jobs within SHUTDOWN_TIMEOUT_MS.';

export const COMMANDS = {
  start: { synopsis: 'herald [start]', about: 'API + workers + scheduler in one process', options: {}, details: ROLE_DETAILS },
  all: { synopsis: 'herald all', about: 'the same as start', options: {}, details: ROLE_DETAILS },
  api: { synopsis: 'herald api', about: 'the HTTP API only', options: {}, details: ROLE_DETAILS },
  worker: {
    synopsis: 'herald worker [--queues a,b]', about: 'BullMQ workers (all queues by default)', options: { queues: { type: 'string' } },
    details: `--queues   comma-separated queue names to serve (default: every queue)\n${ROLE_DETAILS}`,
  },
  scheduler: { synopsis: 'herald scheduler', about: 'registers recurring schedules', options: {}, details: ROLE_DETAILS },
  migrate: { synopsis: 'herald migrate', about: 'applies pending database migrations', options: {} },
  'users create': {
    synopsis: 'herald users create --email E --role ADMIN|CREATOR|BRAND|VIEWER [--password P] [--name N]',
    about: 'creates a user (a password is generated and printed when none is given)',
    options: { email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    details: 'A password that starts with "-" is given as --password=<value>; it needs at least 8 characters.',
  },
  'analytics backfill': {
    synopsis: 'herald analytics backfill --from YYYY-MM-DD --to YYYY-MM-DD',
    about: 're-aggregates every analytics rollup of those days (inclusive)',
    options: { from: { type: 'string' }, to: { type: 'string' } },
    details: '--from may go back to the first day of the month ANALYTICS_RETENTION_MONTHS (default 13) months\n'
      + 'before the current one: older raw events are dropped. Periods not over yet are skipped.',
  },
  seed: {
    synopsis: 'herald seed --users N [--seed S]', about: 'demo users, profiles, projects, assets, licenses and posts',
    options: { users: { type: 'string' }, seed: { type: 'string' } },
    details: 'Every run adds users; the same --seed gives the same content. Password of every demo user: demo-password.',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** Commands named by two words. */
export const GROUPS: Readonly<Record<string, readonly string[]>> = { users: ['create'], analytics: ['backfill'] };

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export const USAGE = `herald: background jobs and notifications

${Object.values(COMMANDS).map((c) => (c.synopsis.length > 34 ? `  ${c.synopsis}\n${' '.repeat(38)}${c.about}` : `  ${c.synopsis.padEnd(36)}${c.about}`)).join('\n')}
  herald <command> --help             usage of one command

Configuration is read from the environment (see README.md).`;

export function commandUsage(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  return `usage: ${spec.synopsis}\n\n${spec.about[0]!.toUpperCase()}${spec.about.slice(1)}.${spec.details ? `\n${spec.details}` : ''}\n\nConfiguration is read from the environment (see README.md).`;
}

/** `herald [command [subcommand]] [options]`; `help [command]`, `--help` on any command. Pure, for tests. */
export function resolveCommand(argv: readonly string[]): { name: CommandName | 'help'; rest: string[]; topic?: CommandName } {
  const { words, rest } = splitCommand(argv, (first) => (first === 'help' || GROUPS[first] ? 2 : 1));
  const [first = 'start', second] = words;
  if (!words.length && (rest.includes('--help') || rest.includes('-h'))) return { name: 'help', rest };
  if (first === 'help') {
    const topic = second && GROUPS[second] ? `${second} ${GROUPS[second][0]}` : second;
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`Unknown command "${second}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return { name: 'help', rest, topic };
  }
  if (GROUPS[first]) {
    if (second === undefined && (rest[0] === '--help' || rest[0] === '-h')) return { name: 'help', rest: [], topic: `${first} ${GROUPS[first][0]}` as CommandName };
    const name = `${first} ${second ?? ''}`.trim();
    if (!isCommand(name)) throw new UsageError(`herald ${first}: expected ${GROUPS[first].map((s) => `"${first} ${s}"`).join(' or ')}${second ? `, not "${name}"` : ''}`);
    return { name, rest };
  }
  if (!isCommand(first)) throw new UsageError(`Unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(', ')}, help)`);
  return { name: first, rest };
}
