/**
 * Subscriber lists as CSV, both ways, without I/O.
 *
 * Reading (`parseSubscriberCsv`): the audience exports of Mailchimp, Substack and Buttondown, our own export, and any
 * CSV with an `email` column. Each row becomes an `ImportRow` (what the list does with it is `decideImport`'s
 * business) or problems naming its line and column; a row with an error is left out, the others are kept. A file
 * whose encoding or quoting is broken yields one error and no rows: once the structure is wrong, no row of it can be
 * trusted to hold what its columns say.
 *
 * Writing (`subscriberCsvHeader` + `subscriberCsvRow`, or `formatSubscriberCsv`): our own export, which reads back
 * to the same status, name, address and consent times.
 *
 * Where the column names come from (checked November 2026):
 * - Mailchimp: the subscribed, unsubscribed and cleaned export fixtures of Ghost's migrator
 *   (TryGhost/migrate, packages/mg-mailchimp-members/src/test/fixtures/*.csv). Mailchimp writes one file per status,
 *   and only the unsubscribed file has UNSUB_* columns, only the cleaned file CLEAN_* columns. That its times are
 *   UTC is an assumption: no source here says which zone they are in.
 * - Substack: `email,active_subscription,expiry,email_disabled,created_at` (TryGhost/migrate,
 *   packages/mg-substack-members-csv fixtures), later with `plan` and `first_payment_at`, and a paid-subscriber
 *   export with `type` (paid, comp, gift). Not confirmed: `prefer_digests` and a `name` column (seen in third-party
 *   code only; `name` is read anyway, as for any CSV).
 * - Buttondown: subscriber fields and types from its API reference (docs.buttondown.com, buttondown/openapi
 *   enums.json): `email` (now `email_address`), `creation_date`, `subscriber_type` (now `type`), `notes`, `metadata`,
 *   `tags`, `referrer_url`, `secondary_id`, `source`, `utm_*`, `unsubscription_date`... Not confirmed: that its CSV
 *   export uses these same names as headers; no sample export was found.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Problem } from '../types.ts';
import { normalizeAddress } from './email-address.ts';
import {
  type ImportRow,
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SubscriberStatus,
  type SuppressReason,
} from './subscriber.ts';
import { normalizeName } from './subscriber-name.ts';

export interface SubscriberCsv {
  rows: ImportRow[];
  problems: Problem[];
  /** The header's columns as written: read, known from an export but of no use here, and unknown. */
  columns: { used: string[]; ignored: string[]; unknown: string[] };
}

// ---------------------------------------------------------------------------------------------------------------
// Columns

type RowField =
  | 'email'
  | 'name'
  | 'firstName'
  | 'lastName'
  | 'status'
  | 'emailDisabled'
  | 'subscribedAt'
  | 'confirmedAt'
  | 'unsubscribedAt'
  | 'suppressedAt'
  | 'suppressedReason'
  | 'subscribedVia'
  | 'confirmedVia'
  | 'unsubscribedVia';

type DateField = 'subscribedAt' | 'confirmedAt' | 'unsubscribedAt' | 'suppressedAt';
const DATE_FIELDS: readonly DateField[] = ['subscribedAt', 'confirmedAt', 'unsubscribedAt', 'suppressedAt'];

interface Role {
  field: RowField;
  /** The column only exists in the export of this status (Mailchimp), so every row of the file has it. */
  fileStatus?: 'unsubscribed' | 'suppressed';
}

const IGNORED = 'ignored';
const ignore = (...names: string[]): [string, typeof IGNORED][] => names.map((name) => [name, IGNORED]);

/** Lower-cased header -> role. The first column of a role is read; a later one with the same role is ignored. */
const COLUMNS: ReadonlyMap<string, Role | typeof IGNORED> = new Map<string, Role | typeof IGNORED>([
  // Ours and plain CSV.
  ['email', { field: 'email' }],
  ['name', { field: 'name' }],
  ['status', { field: 'status' }],
  ['subscribed_at', { field: 'subscribedAt' }],
  ['confirmed_at', { field: 'confirmedAt' }],
  ['unsubscribed_at', { field: 'unsubscribedAt' }],
  ['suppressed_at', { field: 'suppressedAt' }],
  ['suppressed_reason', { field: 'suppressedReason' }],
  ['subscribed_via', { field: 'subscribedVia' }],
  ['confirmed_via', { field: 'confirmedVia' }],
  ['unsubscribed_via', { field: 'unsubscribedVia' }],
  // Mailchimp.
  ['email address', { field: 'email' }],
  ['first name', { field: 'firstName' }],
  ['last name', { field: 'lastName' }],
  ['optin_time', { field: 'subscribedAt' }],
  ['confirm_time', { field: 'confirmedAt' }],
  ['unsub_time', { field: 'unsubscribedAt', fileStatus: 'unsubscribed' }],
  ['clean_time', { field: 'suppressedAt', fileStatus: 'suppressed' }],
  ...ignore('address', 'phone number', 'birthday', 'company', 'member_rating', 'optin_ip', 'confirm_ip'),
  ...ignore('latitude', 'longitude', 'gmtoff', 'dstoff', 'timezone', 'cc', 'region', 'last_changed', 'leid', 'euid'),
  ...ignore('notes', 'tags', 'unsub_campaign_title', 'unsub_campaign_id', 'unsub_reason', 'unsub_reason_other'),
  ...ignore('clean_campaign_title', 'clean_campaign_id'),
  // Substack.
  ['created_at', { field: 'subscribedAt' }],
  ['email_disabled', { field: 'emailDisabled' }],
  ['type', { field: 'status' }],
  ...ignore('active_subscription', 'expiry', 'plan', 'first_payment_at', 'prefer_digests'),
  ...ignore('stripe_connected_customer_id'),
  // Buttondown.
  ['email_address', { field: 'email' }],
  ['creation_date', { field: 'subscribedAt' }],
  ['subscriber_type', { field: 'status' }],
  ['unsubscription_date', { field: 'unsubscribedAt' }],
  ...ignore('id', 'metadata', 'referrer_url', 'secondary_id', 'source', 'utm_campaign', 'utm_medium', 'utm_source'),
  ...ignore('referral_code', 'avatar_url', 'stripe_customer_id', 'churn_date', 'unsubscription_reason', 'ip_address'),
  ...ignore('last_open_date', 'last_click_date', 'undeliverability_reason'),
]);

/** Status words of every format (lower-cased) -> ours. A value not listed is an error: guessing could mail someone. */
const STATUS_VALUES: ReadonlyMap<string, SubscriberStatus> = new Map<string, SubscriberStatus>([
  ...SUBSCRIBER_STATUSES.map((status): [string, SubscriberStatus] => [status, status]),
  // Buttondown: everyone who still receives the newsletter, paid or not, is confirmed.
  ...(['regular', 'premium', 'trialed', 'unpaid', 'gifted', 'churning', 'paused', 'past_due'] as const).map(
    (type): [string, SubscriberStatus] => [type, 'confirmed'],
  ),
  ['unactivated', 'pending'],
  // Buttondown's undeliverable (which absorbed spammy and malformed), removed by the author, and blocked by its
  // signup firewall: none may be mailed. `blocked` as suppressed is our choice; Buttondown says nothing on it.
  ...(['undeliverable', 'spammy', 'malformed', 'removed', 'blocked'] as const).map(
    (type): [string, SubscriberStatus] => [type, 'suppressed'],
  ),
  // Substack's `type`: every kind of subscriber receives the newsletter.
  ...(['free', 'paid', 'comp', 'gift'] as const).map((type): [string, SubscriberStatus] => [type, 'confirmed']),
]);

const SUPPRESS_REASONS: readonly SuppressReason[] = ['bounce', 'complaint', 'import'];

/** The column our export alone writes: it tells a file of ours, whose cells carry the formula guard. */
const OUR_SIGNATURE = 'subscribed_via';

interface Header {
  line: number;
  width: number;
  roles: Map<RowField, { column: number; name: string }>;
  fileStatus?: 'unsubscribed' | 'suppressed';
  ours: boolean;
  columns: SubscriberCsv['columns'];
}

const readHeader = (cells: string[], line: number): Header => {
  const header: Header = {
    line,
    width: cells.length,
    roles: new Map(),
    ours: false,
    columns: { used: [], ignored: [], unknown: [] },
  };
  cells.forEach((cell, column) => {
    const name = cell.trim();
    const key = name.toLowerCase();
    const role = COLUMNS.get(key);
    if (key === OUR_SIGNATURE) header.ours = true;
    if (role === undefined) header.columns.unknown.push(name === '' ? `(column ${column + 1}, no name)` : name);
    else if (role === IGNORED || header.roles.has(role.field)) header.columns.ignored.push(name);
    else {
      header.roles.set(role.field, { column, name });
      header.columns.used.push(name);
      // A cleaned file wins over an unsubscribed one, should one file ever carry both columns.
      if (role.fileStatus && header.fileStatus !== 'suppressed') header.fileStatus = role.fileStatus;
    }
  });
  return header;
};

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * Reads a subscriber export into import rows, with every problem found.
 * @example parseSubscriberCsv('email,name\r\nada@example.org,Ada\r\n', 'list.csv').rows
 * // [{ line: 2, address: 'ada@example.org', key: 'ada@example.org', name: 'Ada', status: 'confirmed' }]
 */
export const parseSubscriberCsv = (input: Uint8Array | string, file: string): SubscriberCsv => {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const encoding = checkEncoding(bytes);
  if (encoding) return refuse(file, encoding);
  const read = readRecords(bytes);
  if ('broken' in read) return refuse(file, read.broken);

  const [first, ...body] = read.records;
  if (first === undefined) {
    return refuse(file, {
      message: 'The file holds neither a header nor rows.',
      fix: 'Export the list again; the first line must name the columns, e.g. "email,name".',
    });
  }
  const header = readHeader(first.cells, first.line);
  if (!header.roles.has('email')) {
    return {
      rows: [],
      problems: [problemAt(file, header.line).error(undefined, ...missingEmail(first.cells))],
      columns: header.columns,
    };
  }

  const problems: Problem[] = header.columns.unknown.length > 0 ? [unknownColumns(file, header)] : [];
  const rows: ImportRow[] = [];
  const indexOfKey = new Map<string, number>();
  for (const record of body) {
    const result = readRow(record, header, file);
    problems.push(...result.problems);
    if (result.row === undefined) continue;
    const index = indexOfKey.get(result.row.key);
    const earlier = index === undefined ? undefined : rows[index];
    if (index === undefined || earlier === undefined) {
      indexOfKey.set(result.row.key, rows.length);
      rows.push(result.row);
      continue;
    }
    // Of two rows for one address, the one that mails less wins: an unsubscribe must never be lost to a duplicate.
    const kept = RESTRICTIVENESS[result.row.status] > RESTRICTIVENESS[earlier.status] ? result.row : earlier;
    rows[index] = kept;
    problems.push(
      problemAt(file, record.line).warning(
        header.roles.get('email')?.name,
        `${show(result.row.address)} is also on line ${earlier.line}; the ${kept.status} row (line ${kept.line}) was kept.`,
        'Nothing to do if both rows are the same subscriber; otherwise delete the row you do not want.',
      ),
    );
  }
  return { rows, problems, columns: header.columns };
};

/** Which of two statuses for one address mails less. */
const RESTRICTIVENESS: Record<SubscriberStatus, number> = { confirmed: 0, pending: 1, unsubscribed: 2, suppressed: 3 };

const refuse = (file: string, problem: { line?: number; message: string; fix: string }): SubscriberCsv => ({
  rows: [],
  problems: [{ file, severity: 'error', ...problem }],
  columns: { used: [], ignored: [], unknown: [] },
});

const SAVE_AS_UTF8 =
  'Save the file as "CSV UTF-8" in your spreadsheet program (or convert it to UTF-8) and import it again.';

/** Only UTF-8 is read. Anything else would be a guess, and a wrong guess changes names and, worse, addresses. */
const checkEncoding = (bytes: Uint8Array): { line?: number; message: string; fix: string } | undefined => {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      message: 'The file is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8.',
      fix: SAVE_AS_UTF8,
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      line: lineCounter(bytes)(nul),
      message:
        'The file contains a NUL byte: it is not UTF-8 CSV text (UTF-16 without a byte order mark, or a workbook?).',
      fix: SAVE_AS_UTF8,
    };
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    return {
      line: lineOfInvalidUtf8(bytes),
      message: 'The file is not valid UTF-8 from this line on (Windows-1252 or Latin-1, perhaps).',
      fix: SAVE_AS_UTF8,
    };
  }
};

/** A byte 0x0A never occurs inside a UTF-8 sequence, so decoding line by line finds the first bad line. */
const lineOfInvalidUtf8 = (bytes: Uint8Array): number => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return line;
};

const CR = 0x0d;
const LF = 0x0a;

/**
 * The line of a byte offset, asked in increasing order (one pass over the file in all). csv-parse's own `lines`
 * counts a CRLF inside a quoted field twice, so record lines are counted here from the record's first byte.
 */
const lineCounter = (bytes: Uint8Array): ((offset: number) => number) => {
  let position = 0;
  let line = 1;
  return (offset) => {
    for (; position < offset; position++) {
      const byte = bytes[position];
      if (byte === LF || (byte === CR && bytes[position + 1] !== LF)) line++;
    }
    return line;
  };
};

interface RawRecord {
  cells: string[];
  /** Where the record starts: a quoted field spanning lines counts from its first. */
  line: number;
}

type ReadOutcome = { records: RawRecord[] } | { broken: { line: number; message: string; fix: string } };

/** The records of the file with their lines, blank ones skipped; or the one reason the structure is broken. */
const readRecords = (bytes: Uint8Array): ReadOutcome => {
  const lineAt = lineCounter(bytes);
  const records: RawRecord[] = [];
  let start = 0;
  try {
    parse(bytes, {
      bom: true,
      // Rows with too few or too many fields are reported one by one, not as the end of the file.
      relax_column_count: true,
      // Mixed line ends happen when rows were pasted from elsewhere; each is a line end.
      record_delimiter: ['\r\n', '\n', '\r'],
      on_record: (cells: string[], context) => {
        const line = lineAt(start);
        start = context.bytes;
        // Spreadsheets write an emptied row as `,,,`: as blank as an empty line.
        if (!cells.every((cell) => cell.trim() === '')) records.push({ cells, line });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return { broken: brokenStructure(error, lineAt(start)) };
  }
  return { records };
};

const QUOTING_ERRORS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is opened and never closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside a value that does not start with one',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by more text instead of a comma or a line end',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by more text',
  CSV_MAX_RECORD_SIZE: 'a record runs on for more than 128,000 characters (an unclosed quote?)',
};

const brokenStructure = (error: CsvError, line: number): { line: number; message: string; fix: string } => {
  // csv-parse's message carries its own line count, which differs from ours for CRLF files: leave it out.
  const detail = error.message.replace(/\s*at line \d+/u, '');
  const what = QUOTING_ERRORS[error.code] ?? 'the file is not valid CSV';
  return {
    line,
    message: `The CSV structure is broken in the row starting at this line: ${what} (csv-parse: ${detail}). Nothing was imported from this file.`,
    fix: 'Put double quotes around values that contain commas, quotes or line breaks, write a quote inside them as "", and close every quote; then import the file again.',
  };
};

const missingEmail = (cells: string[]): [string, string] => {
  const names = cells.map((cell) => show(cell.trim())).join(', ');
  const semicolons = cells.length === 1 && cells[0]?.includes(';');
  return [
    `The header has no email column (its columns: ${names}); nothing was imported.`,
    semicolons
      ? 'The file separates columns with semicolons: save it as comma-separated CSV and import it again.'
      : 'Name the column that holds the addresses "email", or import the export of Mailchimp, Substack or Buttondown unchanged.',
  ];
};

const unknownColumns = (file: string, header: Header): Problem =>
  problemAt(file, header.line).warning(
    undefined,
    `These columns are not known and were ignored: ${header.columns.unknown.map(show).join(', ')}.`,
    'Nothing to do if they hold nothing you need; a column with the addresses or the names must be called "email" or "name".',
  );

// ---------------------------------------------------------------------------------------------------------------
// Rows

interface RowResult {
  row?: ImportRow;
  problems: Problem[];
}

const readRow = ({ cells, line }: RawRecord, header: Header, file: string): RowResult => {
  const at = problemAt(file, line);
  if (cells.length !== header.width) {
    const message = `The row has ${cells.length} fields but the header has ${header.width}; this row was left out.`;
    return { problems: [at.error(undefined, message, 'Quote values that contain commas, e.g. "Lovelace, Ada".')] };
  }
  const value = (field: RowField): string => {
    const column = header.roles.get(field)?.column;
    const cell = column === undefined ? '' : (cells[column] ?? '');
    return (header.ours ? unguardFormula(cell) : cell).trim();
  };
  const columnOf = (field: RowField): string | undefined => header.roles.get(field)?.name;
  const problems: Problem[] = [];
  const error = (field: RowField, message: string, fix: string) =>
    problems.push(at.error(columnOf(field), message, fix));

  const address = readAddress(value('email'), (message, fix) => error('email', message, fix));
  const name = readName(value, header, (column, message, fix) => problems.push(at.warning(column, message, fix)));
  const status = readStatus(value, header, (message, fix) => error('status', message, fix));
  const dates = readDates(value, (field, message, fix) => problems.push(at.warning(columnOf(field), message, fix)));
  if (address === undefined || status === undefined) return { problems };

  const reason = status === 'suppressed' ? readSuppressReason(value('suppressedReason'), at, columnOf) : undefined;
  if (reason?.problem) problems.push(reason.problem);
  const row: ImportRow = {
    line,
    ...address,
    ...(name ? { name } : {}),
    status,
    ...dates,
    ...(reason ? { suppressedReason: reason.value } : {}),
    ...readVias(value, (field, message, fix) => problems.push(at.warning(columnOf(field), message, fix))),
  };
  return { row, problems };
};

type Report = (message: string, fix: string) => void;

const readAddress = (text: string, report: Report): { address: string; key: string } | undefined => {
  if (text === '') {
    report('The row has no email address; it was left out.', 'Add the address or delete the row.');
    return undefined;
  }
  const result = normalizeAddress(text);
  if (result.ok) return result.value;
  report(
    `The address ${show(text)} cannot be used: ${escapeControls(result.reason)}; this row was left out.`,
    'Correct the address or delete the row, then import the file again.',
  );
  return undefined;
};

/** The name, undefined for none, or false when it cannot be used (and was reported). */
const readName = (
  value: (field: RowField) => string,
  header: Header,
  report: (column: string | undefined, message: string, fix: string) => void,
): string | undefined | false => {
  const full = value('name');
  const text = full || [value('firstName'), value('lastName')].filter((part) => part !== '').join(' ');
  const result = normalizeName(text);
  if (result.ok) return result.value;
  const column = full
    ? header.roles.get('name')?.name
    : [header.roles.get('firstName')?.name, header.roles.get('lastName')?.name].filter(Boolean).join(' + ');
  report(
    column,
    `The name ${show(text)} cannot be used: ${result.reason}; the row was imported without a name.`,
    'Correct the name in the file and import it again if the name matters.',
  );
  return false;
};

/**
 * A status column says it outright; else the Mailchimp file the row is in; else Substack's `email_disabled`;
 * else the row is a subscriber: confirmed, which `decideImport` keeps only when the operator attests consent.
 */
const readStatus = (
  value: (field: RowField) => string,
  header: Header,
  report: Report,
): SubscriberStatus | undefined => {
  if (header.roles.has('status')) {
    const given = value('status');
    const status = STATUS_VALUES.get(given.toLowerCase());
    if (status === undefined) {
      report(
        given === ''
          ? 'The row has no status; it was left out.'
          : `The status ${show(given)} is not known; this row was left out.`,
        `Use one of ${SUBSCRIBER_STATUSES.join(', ')} (or a subscriber type of Buttondown or Substack).`,
      );
    }
    return status;
  }
  if (header.fileStatus) return header.fileStatus;
  if (/^(true|yes|1)$/iu.test(value('emailDisabled'))) return 'unsubscribed';
  return 'confirmed';
};

/** The `*_via` columns of our own export: how consent was given and withdrawn. Unknown values are dropped. */
const VIA_VALUES: Record<'subscribedVia' | 'confirmedVia' | 'unsubscribedVia', (text: string) => boolean> = {
  subscribedVia: (text) => ['form', 'api', 'feedback'].includes(text) || /^import:.+/.test(text),
  confirmedVia: (text) => ['link', 'import-attested'].includes(text),
  unsubscribedVia: (text) => ['one-click', 'page', 'cli', 'import'].includes(text),
};

const readVias = (
  value: (field: RowField) => string,
  report: (field: RowField, message: string, fix: string) => void,
): Pick<ImportRow, 'subscribedVia' | 'confirmedVia' | 'unsubscribedVia'> => {
  const vias: Record<string, string> = {};
  for (const [field, valid] of Object.entries(VIA_VALUES) as [keyof typeof VIA_VALUES, (t: string) => boolean][]) {
    const text = value(field);
    if (text === '') continue;
    if (valid(text)) vias[field] = text;
    else report(field, `${show(text)} is not a known value, so it was dropped.`, 'Leave the column as exported.');
  }
  return vias as Pick<ImportRow, 'subscribedVia' | 'confirmedVia' | 'unsubscribedVia'>;
};

const readDates = (
  value: (field: RowField) => string,
  report: (field: DateField, message: string, fix: string) => void,
): Partial<Record<DateField, string>> => {
  const dates: Partial<Record<DateField, string>> = {};
  for (const field of DATE_FIELDS) {
    const text = value(field);
    if (text === '') continue;
    const iso = parseExportDate(text);
    if (iso) dates[field] = iso;
    else {
      report(
        field,
        `${show(text)} is not a date that can be read without guessing, so it was dropped.`,
        'Write dates as 2024-03-01T12:34:56Z (ISO 8601) or 2024-03-01 12:34:56 (taken as UTC).',
      );
    }
  }
  return dates;
};

const readSuppressReason = (
  text: string,
  at: ReturnType<typeof problemAt>,
  columnOf: (field: RowField) => string | undefined,
): { value: SuppressReason; problem?: Problem } => {
  const given = SUPPRESS_REASONS.find((reason) => reason === text.toLowerCase());
  if (given || text === '') return { value: given ?? 'import' };
  const message = `The suppressed_reason ${show(text)} is not known, so "import" was recorded instead.`;
  return {
    value: 'import',
    problem: at.warning(columnOf('suppressedReason'), message, 'Use bounce, complaint or import.'),
  };
};

const DATE =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?:[T ](?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.(?<fraction>\d+))?)?)?\s*(?<zone>Z|[+-]\d{2}:?\d{2})?$/iu;

/**
 * An export's date as an ISO instant, or undefined when it cannot be read without guessing (`03/04/2024` is March
 * or April depending on who wrote it). Zone-less times are UTC: Mailchimp writes `2024-03-01 12:34:56` that way.
 * @example parseExportDate('2024-03-01 12:34:56') // '2024-03-01T12:34:56.000Z'
 */
export const parseExportDate = (text: string): string | undefined => {
  // Our export (and many APIs) write exactly what toISOString writes; an exact round trip proves such a value valid.
  const instant = Date.parse(text);
  if (!Number.isNaN(instant) && new Date(instant).toISOString() === text) return text;
  const parts = DATE.exec(text.trim())?.groups;
  if (parts === undefined) return undefined;
  const [year, month, day] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  const [hour, minute, second] = [Number(parts.hour ?? 0), Number(parts.minute ?? 0), Number(parts.second ?? 0)];
  // Date.UTC rolls 2024-02-30 over into March and reads years below 100 as 19xx; both are refused here.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const valid =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  if (!valid) return undefined;
  const zone = parts.zone?.toUpperCase() ?? 'Z';
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const milliseconds = (parts.fraction ?? '').slice(0, 3).padEnd(3, '0');
  const pad = (n: number) => String(n).padStart(2, '0');
  const parsed = Date.parse(
    `${parts.year}-${parts.month}-${parts.day}T${pad(hour)}:${pad(minute)}:${pad(second)}.${milliseconds}${offset}`,
  );
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
};

const problemAt = (file: string, line: number) => {
  const make =
    (severity: Problem['severity']) =>
    (field: string | undefined, message: string, fix: string): Problem => ({
      file,
      line,
      ...(field ? { field } : {}),
      message,
      fix,
      severity,
    });
  return { error: make('error'), warning: make('warning') };
};

const MAX_SHOWN = 60;

/** A value as a message shows it: quoted, cut at 60 characters, control characters escaped (`"a\r\nBcc: b"`). */
const show = (value: string): string => {
  const characters = [...value];
  const cut = characters.length > MAX_SHOWN ? `${characters.slice(0, MAX_SHOWN).join('')}…` : value;
  // JSON escapes C0 controls and quotes; DEL, C1 and the Unicode line separators are left to escapeControls.
  return escapeControls(JSON.stringify(cut));
};

/** Messages end up in terminals and logs: no character of the file may move the cursor or start a new line there. */
const escapeControls = (text: string): string =>
  text.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );

// ---------------------------------------------------------------------------------------------------------------
// Writing

export const SUBSCRIBER_CSV_COLUMNS = [
  'email',
  'name',
  'status',
  'subscribed_at',
  'subscribed_via',
  'confirmed_at',
  'confirmed_via',
  'unsubscribed_at',
  'unsubscribed_via',
  'suppressed_at',
  'suppressed_reason',
] as const;

type Column = (typeof SUBSCRIBER_CSV_COLUMNS)[number];

// CRLF is what RFC 4180 and spreadsheets expect; a CR or LF inside a value is quoted whatever the line end.
const STRINGIFY_OPTIONS = { record_delimiter: 'windows', quote_record_delimiter: true } as const;

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR as a formula (CSV injection), and
 * names and even addresses (`=ada@example.org` is valid) come from strangers. Such a cell is written with a leading
 * `'`, which shows the text as text. csv-stringify's `escape_formulas` does the same but cannot be undone exactly
 * (`'=x` and `=x` would both read back as `=x`), so any cell matching /^'*[trigger]/ gets one more `'`, and reading
 * a file of ours takes exactly one `'` off any cell matching /^'+[trigger]/: an exact inverse, so an export
 * re-imports to the same names and addresses. Other files are read as written.
 */
const FORMULA = /^'*[=+\-@\t\r]/u;
const GUARDED = /^'+[=+\-@\t\r]/u;
const guardFormula = (cell: string): string => (FORMULA.test(cell) ? `'${cell}` : cell);
const unguardFormula = (cell: string): string => (GUARDED.test(cell) ? cell.slice(1) : cell);

const toCsvLine = (cells: readonly string[]): string => stringify([cells.map(guardFormula)], STRINGIFY_OPTIONS);

/** The header line of our export, ending in CRLF. */
export const subscriberCsvHeader = (): string => toCsvLine(SUBSCRIBER_CSV_COLUMNS);

/** One subscriber as a line of our export, ending in CRLF; write the header first. */
export const subscriberCsvRow = (subscriber: Subscriber): string => {
  const cells: Record<Column, string | undefined> = {
    email: subscriber.address,
    name: subscriber.name,
    status: subscriber.status,
    subscribed_at: subscriber.subscribedAt,
    subscribed_via: subscriber.subscribedVia,
    confirmed_at: subscriber.confirmedAt,
    confirmed_via: subscriber.confirmedVia,
    unsubscribed_at: subscriber.unsubscribedAt,
    unsubscribed_via: subscriber.unsubscribedVia,
    suppressed_at: subscriber.suppressedAt,
    suppressed_reason: subscriber.suppressedReason,
  };
  return toCsvLine(SUBSCRIBER_CSV_COLUMNS.map((column) => cells[column] ?? ''));
};

/**
 * The whole export as one string; for big lists, write `subscriberCsvHeader()` then `subscriberCsvRow` per record.
 * @example formatSubscriberCsv([]) // 'email,name,status,subscribed_at,...,suppressed_reason\r\n'
 */
export const formatSubscriberCsv = (subscribers: Iterable<Subscriber>): string => {
  const lines = [subscriberCsvHeader()];
  for (const subscriber of subscribers) lines.push(subscriberCsvRow(subscriber));
  return lines.join('');
};
