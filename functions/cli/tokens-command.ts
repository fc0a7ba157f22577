/**
 * `npm run cli -- tokens <command>`: the operator's tools for the key that seals confirmation and unsubscribe links
 * (a deployed stack's secret, with the operator's AWS credentials).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readTokenKeySecret, rotateTokenKeySecret, type SecretsClient } from '../adapters/secret-key.ts';
import { ConfigError, ConflictError } from '../core/errors.ts';
import {
  DEFAULT_KEEP_DAYS,
  DEFAULT_SEAL_AFTER_HOURS,
  MIN_SAFE_KEEP_DAYS,
  type StoredTokenKey,
} from '../core/subscribers/token-key-ring.ts';
import { parseCommandLine } from './parse-command.ts';

export const TOKENS_USAGE = `Usage: npm run cli -- tokens <command> --secret <arn> [options]

Commands:
  rotate [--keep-days <n>] [--seal-after-hours <h>]
      Write a new version of the token secret with a new key. It starts sealing links h hours later (default
      ${DEFAULT_SEAL_AFTER_HOURS}: by then every running function has read it), and the key it replaces still opens
      the links in mail already sent for n days after that (default ${DEFAULT_KEEP_DAYS}). Keys whose time is up are
      dropped. --keep-days 0 is for a leaked key: the new key seals at once and no old key is kept, so every link
      in mail already sent stops working (then make the functions read the secret again; see the README).
  status
      Each key of the ring (never the key itself): from when it seals and until when it opens links.

Options:
  --secret <arn>    The deployed stack's token secret (its TokenSecretArn output).
  --region <r>      The secret's region (default: the one in the ARN, else AWS_REGION or your profile's).

Functions read the secret once per cold start: a warm function seals with the replaced key until AWS replaces its
execution environment (usually within hours), which the kept key covers. The local run (\`npm start\`) makes a new
key on every start, so restarting it is its rotation.`;

export class TokensUsageError extends Error {}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface TokensDeps {
  /** Secrets Manager (or a fake: there is no local stand-in for it). */
  secrets?: SecretsClient;
  now?: () => Date;
}

const OPTIONS = {
  secret: { type: 'string' },
  region: { type: 'string' },
  'keep-days': { type: 'string' },
  'seal-after-hours': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Runs one tokens command; returns the exit status (0 done, 2 usage or a secret that cannot be used).
 * @example await runTokensCommand(['rotate', '--secret', arn], { out: console.log, err: console.error })
 */
export const runTokensCommand = async (argv: string[], io: Io, deps: TokensDeps = {}): Promise<number> => {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, (message) => new TokensUsageError(message));
  const [command, ...extra] = positionals;
  if (values.help || command === undefined) {
    io.out(TOKENS_USAGE);
    return values.help ? 0 : 2;
  }
  if (command !== 'rotate' && command !== 'status') throw new TokensUsageError(`unknown tokens command "${command}"`);
  if (extra.length > 0) throw new TokensUsageError(`unexpected argument(s): ${extra.join(' ')}`);
  if (!values.secret) throw new TokensUsageError(`${command} needs --secret <arn> (the stack's TokenSecretArn output)`);
  for (const option of ['keep-days', 'seal-after-hours'] as const) {
    if (command === 'status' && values[option] !== undefined)
      throw new TokensUsageError(`--${option} is for rotate, not status`);
  }
  const keepDays = readWhole(values['keep-days'], DEFAULT_KEEP_DAYS, '--keep-days', 'days', 36_500);
  const sealAfterHours = readWhole(
    values['seal-after-hours'],
    DEFAULT_SEAL_AFTER_HOURS,
    '--seal-after-hours',
    'hours',
    24 * 30,
  );
  // An ARN names its region (arn:aws:secretsmanager:<region>:…), so --region is rarely needed.
  const region = values.region ?? /^arn:[^:]+:secretsmanager:([^:]+):/.exec(values.secret)?.[1];
  const secrets: SecretsClient = deps.secrets ?? new SecretsManagerClient(region ? { region } : {});
  const now = (deps.now ?? (() => new Date()))();
  try {
    if (command === 'status') {
      const { keys } = await readTokenKeySecret(values.secret, secrets);
      io.out(`The ring holds ${keys.length} key(s), newest first:`);
      for (const [index, entry] of keys.entries()) io.out(`  ${index + 1}. ${describeKey(entry, now)}`);
      return 0;
    }
    const { before, after } = await rotateTokenKeySecret(values.secret, { now, keepDays, sealAfterHours }, secrets);
    const dropped = before.keys.filter((entry) => !after.keys.some((kept) => kept.key === entry.key)).length;
    const starts = after.keys[0]?.sealsFrom;
    io.out(
      `Rotated: the ring holds ${after.keys.length} key(s). The new key seals every link ${starts ? `from ${starts}` : 'from now on'}.`,
    );
    if (keepDays > 0)
      io.out(`The key it replaces opens links in mail already sent until ${after.keys[1]?.acceptUntil}.`);
    if (dropped > 0) io.out(`Dropped ${dropped} key(s): links sealed with them no longer open.`);
    if (keepDays < MIN_SAFE_KEEP_DAYS)
      io.err(
        `warning: --keep-days ${keepDays} is under ${MIN_SAFE_KEEP_DAYS}: unsubscribe links in mail sent in the last ` +
          `${MIN_SAFE_KEEP_DAYS} days stop working sooner than CAN-SPAM allows. Use it only for a leaked key.`,
      );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ConflictError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
};

const readWhole = (value: string | undefined, fallback: number, option: string, unit: string, max: number): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new TokensUsageError(`${option} "${value}" is not a whole number of ${unit} (0 to ${max})`);
  return Number(value);
};

const describeKey = (entry: StoredTokenKey, now: Date): string => {
  const seals = entry.sealsFrom === undefined ? 'sealed from the start' : `seals from ${entry.sealsFrom}`;
  if (entry.acceptUntil === undefined) return `${seals}; opens links with no end set`;
  const ended = Date.parse(entry.acceptUntil) <= now.getTime();
  return `${seals}; ${ended ? 'stopped opening links at' : 'opens links until'} ${entry.acceptUntil}`;
};
