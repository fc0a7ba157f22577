/**
 * `npm run cli -- subscribers <command>`: the operator's tools for the list, against the running local run (the
 * default) or a deployed stack's table (`--table`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import type { SubscriberStore } from '../app/ports.ts';
import { countSubscribers, importSubscribers, removeSubscriber } from '../app/subscriptions.ts';
import { formatProblem, hasErrors } from '../core/problems.ts';
import { normalizeAddress } from '../core/subscribers/email-address.ts';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../core/subscribers/subscriber.ts';
import { parseSubscriberCsv, subscriberCsvHeader, subscriberCsvRow } from '../core/subscribers/subscriber-csv.ts';
import { parseCommandLine } from './parse-command.ts';
import { NO_TABLE, openTable } from './table-connection.ts';

export const SUBSCRIBERS_USAGE = `Usage: npm run cli -- subscribers <command> [options]

Commands:
  import <file.csv> [--attest-consent]   Add the rows of a Mailchimp, Substack, Buttondown or feedmail export.
                                         Rows import as pending unless --attest-consent states that every
                                         confirmed row gave consent to be mailed. Unsubscribed and suppressed
                                         addresses on the list are never re-added (they are counted).
  export [--out <file>] [--status <s>]   Write the list as CSV (to stdout by default); it re-imports as is.
  list [--status <s>]                    One line per subscriber: address, status, name, since.
  count                                  How many subscribers have each status.
  remove <email> [--erase]               Unsubscribe an address for good (kept as a suppression record);
                                         --erase deletes every trace of it instead (a data-erasure request).

Where the list is:
  By default, the local run started by \`npm start\` (in another terminal).
  --table <name> [--region <r>]          A deployed stack's table (StateTableName output), with your AWS credentials.

Statuses: ${SUBSCRIBER_STATUSES.join(', ')}.`;

export class SubscribersUsageError extends Error {}

export interface SubscribersIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where a progress bar may be drawn (a terminal); absent, no progress is shown. */
  progress?: (text: string) => void;
}

const OPTIONS = {
  'attest-consent': { type: 'boolean' },
  erase: { type: 'boolean' },
  out: { type: 'string' },
  status: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one subscribers command; returns the exit status (0 done, 1 some rows failed, 2 usage). */
export const runSubscribersCommand = async (argv: string[], io: SubscribersIo, cwd: string): Promise<number> => {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, (message) => new SubscribersUsageError(message));
  const [command, argument, ...extra] = positionals;
  if (values.help || command === undefined) {
    io.out(SUBSCRIBERS_USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) throw new SubscribersUsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const status = readStatus(values.status);
  const needsArgument = command === 'import' || command === 'remove';
  if (needsArgument && argument === undefined) {
    throw new SubscribersUsageError(
      `${command} needs ${command === 'import' ? 'the CSV file to read' : 'the address to remove'}`,
    );
  }
  if (!needsArgument && argument !== undefined) throw new SubscribersUsageError(`unexpected argument: ${argument}`);
  if (!['import', 'export', 'list', 'count', 'remove'].includes(command)) {
    throw new SubscribersUsageError(`unknown subscribers command "${command}"`);
  }
  for (const [option, commands] of Object.entries(OPTION_COMMANDS)) {
    if (values[option as keyof typeof values] !== undefined && !commands.includes(command)) {
      throw new SubscribersUsageError(`--${option} is for ${commands.join(' and ')}, not ${command}`);
    }
  }
  if (values.region !== undefined && values.table === undefined) {
    throw new SubscribersUsageError('--region goes with --table; the local run needs neither');
  }
  const address = command === 'remove' ? normalizeAddress(argument as string) : undefined;
  if (address && !address.ok) throw new SubscribersUsageError(`cannot remove "${argument}": ${address.reason}`);
  const store = await openStore(values, cwd);
  switch (command) {
    case 'import':
      return importFile(store, resolve(cwd, argument as string), values['attest-consent'] === true, io);
    case 'export':
      return exportList(store, status, values.out ? resolve(cwd, values.out) : undefined, io);
    case 'list': {
      for await (const page of store.list(status ? { status } : {})) {
        for (const s of page) {
          const since = s.unsubscribedAt ?? s.suppressedAt ?? s.confirmedAt ?? s.subscribedAt;
          io.out([s.address, s.status, s.name ?? '', since].join('\t'));
        }
      }
      return 0;
    }
    case 'count': {
      const counts = await countSubscribers(store);
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      for (const [name, count] of Object.entries(counts)) io.out(`${name.padEnd(13)}${count}`);
      io.out(`${'total'.padEnd(13)}${total}`);
      return 0;
    }
    default: {
      const outcome = await removeSubscriber(store, argument as string, {
        erase: values.erase === true,
        now: new Date(),
      });
      const said = {
        removed: `${argument}: unsubscribed; kept as a suppression record so nothing re-adds it`,
        erased: `${argument}: erased; a form or an import could add it again`,
        unknown: `${argument}: not on the list; nothing to do`,
      };
      io.out(said[outcome]);
      return 0;
    }
  }
};

/** Options that only make sense for some commands; anything else is refused rather than silently ignored. */
const OPTION_COMMANDS: Record<string, string[]> = {
  'attest-consent': ['import'],
  erase: ['remove'],
  out: ['export'],
  status: ['export', 'list'],
};

const readStatus = (value: string | undefined): SubscriberStatus | undefined => {
  if (value === undefined) return undefined;
  if (!(SUBSCRIBER_STATUSES as readonly string[]).includes(value)) {
    throw new SubscribersUsageError(`--status "${value}" is not one of ${SUBSCRIBER_STATUSES.join(', ')}`);
  }
  return value as SubscriberStatus;
};

const openStore = async (
  values: { table?: string | undefined; region?: string | undefined },
  cwd: string,
): Promise<SubscriberStore> => {
  const table = await openTable(values, cwd);
  if (!table) throw new SubscribersUsageError(NO_TABLE);
  return createDynamoSubscriberStore({ tableName: table.tableName, client: table.dynamo });
};

const importFile = async (store: SubscriberStore, path: string, attested: boolean, io: SubscribersIo) => {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new SubscribersUsageError(`cannot read ${path}`);
  }
  const file = basename(path);
  const { rows, problems } = parseSubscriberCsv(bytes, file);
  for (const problem of problems) io.err(formatProblem(problem));
  const bar = io.progress ? progressBar(rows.length, io.progress) : undefined;
  const counts = await importSubscribers(store, rows, {
    now: new Date(),
    file,
    attested,
    ...(bar ? { onProgress: bar } : {}),
  });
  if (io.progress) io.progress('\n');
  const rejected = problems.filter((p) => p.severity === 'error').length;
  io.out(
    [
      `${rows.length} rows read`,
      `${counts['added-confirmed'] + counts.confirmed} confirmed`,
      `${counts['added-pending']} pending`,
      `${counts.unchanged} already on the list`,
      `${counts['added-suppression'] + counts['suppressed-existing']} recorded as unsubscribed or suppressed`,
      `${counts['skipped-suppressed']} skipped (unsubscribed or suppressed here)`,
      `${rejected} rejected`,
    ].join(', '),
  );
  if (!attested && counts['added-pending'] > 0) {
    io.out('Rows were imported as pending: pass --attest-consent if every confirmed row agreed to be mailed.');
  }
  return hasErrors(problems) ? 1 : 0;
};

const exportList = async (
  store: SubscriberStore,
  status: SubscriberStatus | undefined,
  path: string | undefined,
  io: SubscribersIo,
) => {
  const chunks: string[] = [subscriberCsvHeader()];
  let count = 0;
  for await (const page of store.list(status ? { status } : {})) {
    for (const subscriber of page) chunks.push(subscriberCsvRow(subscriber));
    count += page.length;
  }
  const csv = chunks.join('');
  if (path) {
    await writeFile(path, csv);
    io.err(`wrote ${count} subscribers to ${path}`);
  } else {
    io.out(csv.replace(/\r\n$/, ''));
  }
  return 0;
};

/** A one-line bar redrawn at most every percent: `[#####-----]  50%  50000/100000 rows`. */
const progressBar = (total: number, draw: (text: string) => void) => {
  let shown = -1;
  return (done: number) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (percent === shown) return;
    shown = percent;
    const filled = Math.round(percent / 5);
    draw(`\r[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] ${String(percent).padStart(3)}%  ${done}/${total} rows`);
  };
};
