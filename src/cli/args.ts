import { parseArgs } from 'node:util';

/** A mistake in how a command was called: printed as one line (and a hint), exit code 2. */
export class UsageError extends Error {}

export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;
export type OptionValues = Record<string, string | boolean | undefined>;

/** The words that name a command (`users create`), then everything from the first option on. */
export function splitCommand(argv: readonly string[], maxWords: (first: string) => number): { words: string[]; rest: string[] } {
  const words: string[] = [];
  let i = 0;
  while (i < argv.length && !argv[i]!.startsWith('-') && words.length < Math.max(1, maxWords(words[0] ?? argv[i]!))) words.push(argv[i++]!);
  return { words, rest: argv.slice(i) };
}

/**
 * The options of one command, strictly: an unknown option (`--queue` for `--queues`), a missing
 * value, a value that looks like another option (`--password --name x`: write `--password=--x`
 * to mean it) or a stray word is a UsageError naming it, never silently ignored. `--help`/`-h`
 * is every command's. Pure, for tests.
 */
export function parseOptions(command: string, args: readonly string[], options: OptionSpec): OptionValues & { help?: boolean } {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  const known = Object.keys(all).map((name) => `--${name}`).join(', ');
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: all, strict: true, allowPositionals: true });
    if (positionals.length) throw new UsageError(`herald ${command}: unexpected argument "${positionals[0]}" (options: ${known})`);
    return values as OptionValues & { help?: boolean };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const message = (err as Error).message;
    const flag = /--[\w-]+/.exec(message)?.[0] ?? /'(-[^' ,]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`herald ${command}: unknown option ${flag} (options: ${known})`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(/ambiguous|missing/.test(message)
        ? `herald ${command}: ${flag} needs a value (to give one that starts with "-", write ${flag}=<value>)`
        : `herald ${command}: ${flag} takes no value`);
    }
    throw new UsageError(`herald ${command}: ${(err as Error).message.split('\n')[0]}`);
  }
}
