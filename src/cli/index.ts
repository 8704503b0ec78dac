// The CLI's public surface, for src/main.ts. The commands load lazily: they pull in the service's
// modules, and help and usage errors should answer without loading them.
export { parseOptions, UsageError, type OptionValues } from './args.js';
export { describeError } from './errors.js';
export { COMMANDS, commandUsage, resolveCommand, USAGE, type CommandName } from './usage.js';
export const loadCommands = () => import('./commands.js');
