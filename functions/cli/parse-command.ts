import { type ParseArgsConfig, parseArgs } from 'node:util';
import { describeError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Reads a command's arguments strictly (unknown options refused), with positionals allowed, and turns Node's own
 * complaint (an unknown option, a missing value) into the command's usage error, which the CLI prints with the usage.
 * @example parseCommandLine(['count', '--table', 't'], { table: { type: 'string' } }, (m) => new UsageError(m))
 */
export const parseCommandLine = <const O extends Options>(
  argv: string[],
  options: O,
  usageError: (message: string) => Error,
) => {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw usageError(describeError(error));
  }
};
