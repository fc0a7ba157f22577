/**
 * Reading subscriber exports (Mailchimp, Substack, Buttondown, ours, plain) and writing ours. The fixtures are
 * written here after the shape of each service's export, with invented people at example.org/example.com.
 *
 * Property (at the end): for any list of subscribers with valid, distinct addresses and valid names (quotes, commas,
 * leading `=`/`+`/`-`/`@`/`'`, any script), exporting with `formatSubscriberCsv` and reading the file back gives one
 * row per subscriber with its line, address, name, status and consent times, and no problem; and `decideImport`
 * with attested consent turns each row back into the subscriber's status, name, address and consent times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../../functions/core/subscribers/email-address.ts';
import {
  decideImport,
  type ImportRow,
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SuppressReason,
} from '../../../functions/core/subscribers/subscriber.ts';
import {
  formatSubscriberCsv,
  parseExportDate,
  parseSubscriberCsv,
  SUBSCRIBER_CSV_COLUMNS,
  subscriberCsvHeader,
  subscriberCsvRow,
} from '../../../functions/core/subscribers/subscriber-csv.ts';
import { normalizeName } from '../../../functions/core/subscribers/subscriber-name.ts';

const csv = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const messages = (result: { problems: { message: string }[] }): string[] => result.problems.map((p) => p.message);

const MAILCHIMP_COMMON =
  'Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION';

const makeSubscriber = (fields: Partial<Subscriber> = {}): Subscriber => ({
  key: 'ada@example.org',
  address: 'ada@example.org',
  status: 'confirmed',
  subscribedAt: '2024-01-01T10:00:00.000Z',
  subscribedVia: 'form',
  confirmedAt: '2024-01-01T10:05:00.000Z',
  confirmedVia: 'link',
  version: 3,
  ...fields,
});

describe('parseSubscriberCsv with the exports of other services', () => {
  it('reads a Mailchimp subscribed export as confirmed rows with joined names and UTC times', () => {
    // Prepare
    const file = csv(
      `${MAILCHIMP_COMMON},LAST_CHANGED,LEID,EUID,NOTES,TAGS`,
      'ada@example.org, Ada , Lovelace ,,,,2,2023-04-21 11:16:57,,2023-04-21 11:20:03,,,,,,,,,2023-05-01 08:00:00,101,abc,,"""Editors"""',
      'grace@example.com,Grace,,,,,1,2018-02-12 10:54:27,,,,,,,,,,,2018-02-12 10:54:27,102,def,,',
    );

    // Act
    const result = parseSubscriberCsv(file, 'subscribed_members_export.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      {
        line: 2,
        address: 'ada@example.org',
        key: 'ada@example.org',
        name: 'Ada Lovelace',
        status: 'confirmed',
        subscribedAt: '2023-04-21T11:16:57.000Z',
        confirmedAt: '2023-04-21T11:20:03.000Z',
      },
      {
        line: 3,
        address: 'grace@example.com',
        key: 'grace@example.com',
        name: 'Grace',
        status: 'confirmed',
        subscribedAt: '2018-02-12T10:54:27.000Z',
      },
    ]);
    expect(result.columns.used).toEqual(['Email Address', 'First Name', 'Last Name', 'OPTIN_TIME', 'CONFIRM_TIME']);
    expect(result.columns.ignored).toContain('MEMBER_RATING');
    expect(result.columns.unknown).toEqual([]);
  });

  it('reads every row of a Mailchimp unsubscribed export as unsubscribed, even one without UNSUB_TIME', () => {
    // Prepare
    const file = csv(
      `${MAILCHIMP_COMMON},UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER,LEID,EUID,NOTES,TAGS`,
      'ada@example.org,Ada,,,,,,2018-02-12 10:54:27,,2018-02-12 10:54:27,,,,,,,,,2018-07-23 12:19:27,Spring news,c1,NORMAL,,1,a,,',
      'bob@example.org,,,,,,,2018-02-12 10:54:27,,2018-02-12 10:54:27,,,,,,,,,,,,,,2,b,,',
    );

    // Act
    const result = parseSubscriberCsv(file, 'unsubscribed_members_export.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows.map((row) => [row.address, row.status, row.unsubscribedAt])).toEqual([
      ['ada@example.org', 'unsubscribed', '2018-07-23T12:19:27.000Z'],
      ['bob@example.org', 'unsubscribed', undefined],
    ]);
  });

  it('reads a Mailchimp cleaned export as suppressed rows with the reason import', () => {
    // Prepare
    const file = csv(
      `${MAILCHIMP_COMMON},CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID,NOTES,TAGS`,
      'gone@example.org,Cleo,,,,,1,2018-02-05 19:28:23,,2018-02-05 19:28:23,,,,,,,,,2020-03-23 17:30:05,,,1,a,,Editors',
    );

    // Act
    const result = parseSubscriberCsv(file, 'cleaned_members_export.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      {
        line: 2,
        address: 'gone@example.org',
        key: 'gone@example.org',
        name: 'Cleo',
        status: 'suppressed',
        subscribedAt: '2018-02-05T19:28:23.000Z',
        confirmedAt: '2018-02-05T19:28:23.000Z',
        suppressedAt: '2020-03-23T17:30:05.000Z',
        suppressedReason: 'import',
      },
    ]);
  });

  it('reads a Substack export, turning email_disabled into unsubscribed', () => {
    // Prepare
    const file = csv(
      'email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at',
      'reader@example.org,false,,other,false,2024-01-01T08:00:00.000Z,',
      'patron@example.org,true,2026-01-01T00:00:00.000Z,yearly,false,2024-02-01,2024-02-03T09:00:00.000Z',
      'quiet@example.org,false,,other,true,2024-03-01T12:30:00.000Z,',
    );

    // Act
    const result = parseSubscriberCsv(file, 'email_list.example.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows.map((row) => [row.address, row.status, row.subscribedAt])).toEqual([
      ['reader@example.org', 'confirmed', '2024-01-01T08:00:00.000Z'],
      ['patron@example.org', 'confirmed', '2024-02-01T00:00:00.000Z'],
      ['quiet@example.org', 'unsubscribed', '2024-03-01T12:30:00.000Z'],
    ]);
    expect(result.columns.ignored).toEqual(['active_subscription', 'expiry', 'plan', 'first_payment_at']);
  });

  it('reads a Buttondown export, mapping each subscriber type', () => {
    // Prepare
    const file = csv(
      'id,email,creation_date,subscriber_type,notes,metadata,tags,referrer_url,source,unsubscription_date',
      '1,regular@example.org,2023-05-01T10:00:00Z,regular,,{},[],,form,',
      '2,premium@example.org,2023-05-02T10:00:00+02:00,premium,,{},[],,form,',
      '3,new@example.org,2023-05-03T10:00:00Z,unactivated,,{},[],,form,',
      '4,left@example.org,2023-05-04T10:00:00Z,unsubscribed,,{},[],,form,2023-06-01T00:00:00Z',
      '5,bounced@example.org,2023-05-05T10:00:00Z,undeliverable,,{},[],,import,',
      '6,removed@example.org,2023-05-06T10:00:00Z,removed,,{},[],,import,',
      '7,spam@example.org,2023-05-07T10:00:00Z,spammy,,{},[],,api,',
    );

    // Act
    const result = parseSubscriberCsv(file, 'buttondown.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows.map((row) => [row.address, row.status])).toEqual([
      ['regular@example.org', 'confirmed'],
      ['premium@example.org', 'confirmed'],
      ['new@example.org', 'pending'],
      ['left@example.org', 'unsubscribed'],
      ['bounced@example.org', 'suppressed'],
      ['removed@example.org', 'suppressed'],
      ['spam@example.org', 'suppressed'],
    ]);
    expect(result.rows[1]?.subscribedAt).toBe('2023-05-02T08:00:00.000Z');
    expect(result.rows[3]?.unsubscribedAt).toBe('2023-06-01T00:00:00.000Z');
  });

  it('refuses a row whose subscriber type is unknown rather than guess', () => {
    // Prepare
    const file = csv('email_address,type', 'a@example.org,vip', 'b@example.org,');

    // Act
    const result = parseSubscriberCsv(file, 'buttondown.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(result.problems.map((p) => [p.line, p.field, p.severity])).toEqual([
      [2, 'type', 'error'],
      [3, 'type', 'error'],
    ]);
    expect(messages(result)).toEqual([
      'The status "vip" is not known; this row was left out.',
      'The row has no status; it was left out.',
    ]);
  });

  it('reads a plain list of addresses as confirmed rows', () => {
    // Prepare
    const file = 'Email\nada@example.org\nbob@example.com\n';

    // Act
    const result = parseSubscriberCsv(file, 'plain.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, address: 'ada@example.org', key: 'ada@example.org', status: 'confirmed' },
      { line: 3, address: 'bob@example.com', key: 'bob@example.com', status: 'confirmed' },
    ]);
  });

  it('matches headers without regard to case or surrounding spaces', () => {
    // Prepare
    const file = csv(' EMAIL ADDRESS , first NAME ', 'ada@example.org,Ada');

    // Act
    const result = parseSubscriberCsv(file, 'list.csv');

    // Assess
    expect(result.rows.map((row) => row.name)).toEqual(['Ada']);
    expect(result.columns.used).toEqual(['EMAIL ADDRESS', 'first NAME']);
  });
});

describe('parseSubscriberCsv with our own export', () => {
  it('reads an export back to rows carrying status, name and consent times', () => {
    // Prepare
    const subscribers = [
      makeSubscriber(),
      makeSubscriber({
        key: 'bob@example.org',
        address: 'Bob@example.org',
        name: 'Bob, "the" Builder',
        status: 'unsubscribed',
        unsubscribedAt: '2024-05-01T00:00:00.000Z',
        unsubscribedVia: 'one-click',
      }),
      makeSubscriber({
        key: 'gone@example.org',
        address: 'gone@example.org',
        status: 'suppressed',
        suppressedAt: '2024-06-01T00:00:00.000Z',
        suppressedReason: 'complaint',
      }),
    ];

    // Act
    const result = parseSubscriberCsv(formatSubscriberCsv(subscribers), 'export.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.columns).toEqual({
      used: [
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
      ],
      ignored: [],
      unknown: [],
    });
    expect(result.rows[1]).toEqual({
      line: 3,
      address: 'Bob@example.org',
      key: 'bob@example.org',
      name: 'Bob, "the" Builder',
      status: 'unsubscribed',
      subscribedAt: '2024-01-01T10:00:00.000Z',
      confirmedAt: '2024-01-01T10:05:00.000Z',
      unsubscribedAt: '2024-05-01T00:00:00.000Z',
      subscribedVia: 'form',
      confirmedVia: 'link',
      unsubscribedVia: 'one-click',
    });
    expect(result.rows[2]?.suppressedReason).toBe('complaint');
  });

  it('writes the header and each row as CSV lines ending in CRLF', () => {
    // Prepare
    const subscriber = makeSubscriber({ name: 'Ada, Countess' });

    // Act
    const header = subscriberCsvHeader();
    const row = subscriberCsvRow(subscriber);

    // Assess
    expect(header).toBe(`${SUBSCRIBER_CSV_COLUMNS.join(',')}\r\n`);
    expect(row).toBe(
      'ada@example.org,"Ada, Countess",confirmed,2024-01-01T10:00:00.000Z,form,2024-01-01T10:05:00.000Z,link,,,,\r\n',
    );
    expect(formatSubscriberCsv([subscriber])).toBe(header + row);
  });

  it.each([
    ['=HYPERLINK("https://example.com","x")', '"\'=HYPERLINK(""https://example.com"",""x"")"'],
    ['+1 Ada', "'+1 Ada"],
    ['-Ada', "'-Ada"],
    ['@ada', "'@ada"],
    ["'=quoted", "''=quoted"],
    ["O'Brien", "O'Brien"],
  ])('guards the name %j against spreadsheet formulas and reads it back unchanged', (name, cell) => {
    // Prepare
    const subscriber = makeSubscriber({ name });

    // Act
    const line = subscriberCsvRow(subscriber);
    const result = parseSubscriberCsv(formatSubscriberCsv([subscriber]), 'export.csv');

    // Assess
    expect(line.startsWith(`ada@example.org,${cell},confirmed,`)).toBe(true);
    expect(result.rows[0]?.name).toBe(name);
  });

  it('reads a guarded-looking name as written when the file is not ours', () => {
    // Prepare
    const file = csv('email,name', "ada@example.org,'=Ada");

    // Act
    const result = parseSubscriberCsv(file, 'plain.csv');

    // Assess
    expect(result.rows[0]?.name).toBe("'=Ada");
  });
});

describe('parseSubscriberCsv with the bytes and structure of the file', () => {
  it.each([
    [
      'a UTF-8 byte order mark in bytes',
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('email,name\nada@example.org,Zoë\n')]),
    ],
    ['a UTF-8 byte order mark in text', '\uFEFFemail,name\nada@example.org,Zoë\n'],
  ])('reads a file with %s', (_label, input) => {
    // Act
    const result = parseSubscriberCsv(input, 'bom.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, address: 'ada@example.org', key: 'ada@example.org', name: 'Zoë', status: 'confirmed' },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('counts lines after a quoted value spanning lines with %s line ends', (_label, end) => {
    // Prepare
    const file = [
      'email,name',
      'ada@example.org,Ada',
      `bob@example.org,"Bob${end}Builder"`,
      'bad address,Eve',
      '',
    ].join(end);

    // Act
    const result = parseSubscriberCsv(file, 'multi.csv');

    // Assess
    // The name with a line break is dropped (a warning) and its row kept; the bad address's row is left out.
    expect(result.rows.map((row) => [row.line, row.name])).toEqual([
      [2, 'Ada'],
      [3, undefined],
    ]);
    expect(result.problems.map((p) => [p.line, p.field, p.severity])).toEqual([
      [3, 'name', 'warning'],
      [5, 'email', 'error'],
    ]);
  });

  it('skips blank lines and emptied spreadsheet rows silently, keeping later lines right', () => {
    // Prepare
    const file = csv('email,name', '', 'ada@example.org,Ada', ',', '   ', 'bob@example.org,Bob');

    // Act
    const result = parseSubscriberCsv(file, 'blank.csv');

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.rows.map((row) => row.line)).toEqual([3, 6]);
  });

  it.each([
    [
      'an unclosed quote',
      csv('email,name', 'ada@example.org,Ada', 'bob@example.org,"Bob', 'eve@example.org,Eve'),
      3,
      /never closed/,
    ],
    [
      'a quote inside an unquoted value',
      csv('email,name', 'ada@example.org,Ada', 'bob@example.org,Bob "B" Builder'),
      3,
      /inside a value/,
    ],
    ['text after a closing quote', csv('email,name', 'ada@example.org,"Ada"x'), 2, /followed by more text/],
    [
      'an unclosed quote after a multi-line value',
      csv('email,name', 'ada@example.org,"Ada\r\nLovelace"', 'bob@example.org,Bob', 'eve@example.org,"Eve'),
      5,
      /never closed/,
    ],
  ])('refuses the whole file for %s, naming the line of the broken row', (_label, file, line, what) => {
    // Act
    const result = parseSubscriberCsv(file, 'broken.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: 'broken.csv', line, severity: 'error' });
    expect(result.problems[0]?.message).toMatch(what);
    expect(result.problems[0]?.message).toMatch(/csv-parse: .*Nothing was imported/);
  });

  it.each([
    ['little-endian', [0xff, 0xfe]],
    ['big-endian', [0xfe, 0xff]],
  ])('refuses a %s UTF-16 file with one error', (_label, bom) => {
    // Prepare
    const text = 'email\nada@example.org\n';
    const units = [...text].flatMap((c) => (bom[0] === 0xff ? [c.charCodeAt(0), 0] : [0, c.charCodeAt(0)]));
    const bytes = Uint8Array.from([...bom, ...units]);

    // Act
    const result = parseSubscriberCsv(bytes, 'utf16.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringMatching(/UTF-16/),
        fix: expect.stringMatching(/UTF-8/),
      }),
    ]);
  });

  it('refuses bytes that are not UTF-8, naming the first bad line', () => {
    // Prepare
    const bytes = Uint8Array.from([...utf8('email,name\nada@example.org,Ada\nzoe@example.org,Zo'), 0xeb, 0x0a]);

    // Act
    const result = parseSubscriberCsv(bytes, 'latin1.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 3, severity: 'error', message: expect.stringMatching(/not valid UTF-8/) }),
    ]);
  });

  it('refuses a UTF-16 file without byte order mark by its NUL bytes', () => {
    // Prepare
    const bytes = Uint8Array.from([...'email\n'].flatMap((c) => [c.charCodeAt(0), 0]));

    // Act
    const result = parseSubscriberCsv(bytes, 'utf16-nobom.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(messages(result)).toEqual([expect.stringMatching(/NUL byte/)]);
  });

  it('refuses an empty file with one error', () => {
    // Act
    const result = parseSubscriberCsv('', 'empty.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(messages(result)).toEqual(['The file holds neither a header nor rows.']);
  });
});

describe('parseSubscriberCsv with columns', () => {
  it('refuses a file without an email column with one error and no rows', () => {
    // Prepare
    const file = csv('name,address', 'Ada,ada@example.org');

    // Act
    const result = parseSubscriberCsv(file, 'nomail.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([
      {
        file: 'nomail.csv',
        line: 1,
        severity: 'error',
        message: 'The header has no email column (its columns: "name", "address"); nothing was imported.',
        fix: 'Name the column that holds the addresses "email", or import the export of Mailchimp, Substack or Buttondown unchanged.',
      },
    ]);
  });

  it('points at semicolons when a file separates its columns with them', () => {
    // Act
    const result = parseSubscriberCsv(csv('email;name', 'ada@example.org;Ada'), 'excel-de.csv');

    // Assess
    expect(result.problems[0]?.fix).toMatch(/semicolons/);
  });

  it('lists unknown columns in one warning at line 1 and keeps the rows', () => {
    // Prepare
    const file = csv('email,Favourite colour,name,Shoe size,', 'ada@example.org,green,Ada,38,');

    // Act
    const result = parseSubscriberCsv(file, 'extra.csv');

    // Assess
    expect(result.rows).toHaveLength(1);
    expect(result.columns.unknown).toEqual(['Favourite colour', 'Shoe size', '(column 5, no name)']);
    expect(result.problems).toEqual([
      expect.objectContaining({
        line: 1,
        severity: 'warning',
        message:
          'These columns are not known and were ignored: "Favourite colour", "Shoe size", "(column 5, no name)".',
      }),
    ]);
  });
});

describe('parseSubscriberCsv with bad rows', () => {
  it.each([
    ['"ada@example.org\r\nBcc: eve@example.org"', '"ada@example.org\\r\\nBcc: eve@example.org"', /line break/],
    ['"ada@example.org, eve@example.org"', '"ada@example.org, eve@example.org"', /one address/],
    ['Ada <ada@example.org>', '"Ada <ada@example.org>"', /without a name/],
    ['ada@example', '"ada@example"', /not a valid email/],
    ['ada@example.org\u0007', '"ada@example.org\\u0007"', /control character/],
    [
      'ada@example.org\u0085',
      '"ada@example.org\\u0085"',
      /control character|"example.org\\u0085" is not a valid domain/,
    ],
  ])('leaves out the row with address %j, naming it escaped', (cell, shown, reason) => {
    // Prepare
    const file = csv('email,name', 'ok@example.org,Ok', `${cell},Eve`);

    // Act
    const result = parseSubscriberCsv(file, 'bad.csv');

    // Assess
    expect(result.rows.map((row) => row.address)).toEqual(['ok@example.org']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 3, field: 'email', severity: 'error' });
    expect(result.problems[0]?.message).toContain(`The address ${shown} cannot be used`);
    expect(result.problems[0]?.message).toMatch(reason);
  });

  it('leaves out a row with an empty email', () => {
    // Act
    const result = parseSubscriberCsv(csv('email,name', ',Ada'), 'empty-email.csv');

    // Assess
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 2, field: 'email', message: 'The row has no email address; it was left out.' }),
    ]);
  });

  it('imports a row with an over-long name without the name, and cuts the value shown at 60 characters', () => {
    // Prepare
    const name = 'A'.repeat(101);

    // Act
    const result = parseSubscriberCsv(csv('email,name', `ada@example.org,${name}`), 'long.csv');

    // Assess
    expect(result.rows).toEqual([{ line: 2, address: 'ada@example.org', key: 'ada@example.org', status: 'confirmed' }]);
    expect(result.problems[0]).toMatchObject({ line: 2, field: 'name', severity: 'warning' });
    expect(result.problems[0]?.message).toBe(
      `The name "${'A'.repeat(60)}…" cannot be used: the name is longer than 100 characters; the row was imported without a name.`,
    );
  });

  it('names both Mailchimp name columns when their joined name is refused', () => {
    // Act
    const result = parseSubscriberCsv(csv('Email Address,First Name,Last Name', 'ada@example.org,Ada,<b>'), 'mc.csv');

    // Assess
    expect(result.problems[0]?.field).toBe('First Name + Last Name');
  });

  it.each([
    ['too few', 'ada@example.org,Ada', 'The row has 2 fields but the header has 3; this row was left out.'],
    [
      'too many',
      'ada@example.org,Lovelace,Ada,extra',
      'The row has 4 fields but the header has 3; this row was left out.',
    ],
  ])('leaves out a row with %s fields', (_label, line, message) => {
    // Act
    const result = parseSubscriberCsv(csv('email,name,created_at', line, 'bob@example.org,Bob,'), 'count.csv');

    // Assess
    expect(result.rows.map((row) => row.address)).toEqual(['bob@example.org']);
    expect(result.problems).toEqual([expect.objectContaining({ line: 2, severity: 'error', message })]);
  });

  it('keeps the first of two equal rows with the same address and warns about the later one', () => {
    // Prepare
    const file = csv('email,name', 'ada@example.org,Ada', 'bob@example.org,Bob', 'ADA@example.org,Ada again');

    // Act
    const result = parseSubscriberCsv(file, 'dupes.csv');

    // Assess
    expect(result.rows.map((row) => [row.line, row.name])).toEqual([
      [2, 'Ada'],
      [3, 'Bob'],
    ]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        line: 4,
        field: 'email',
        severity: 'warning',
        message: '"ADA@example.org" is also on line 2; the confirmed row (line 2) was kept.',
      }),
    ]);
  });

  it('keeps the row that mails less when two rows for one address disagree', () => {
    // Prepare
    const file = csv(
      'email,status',
      'ada@example.org,confirmed',
      'ada@example.org,unsubscribed',
      'ada@example.org,pending',
    );

    // Act
    const result = parseSubscriberCsv(file, 'disagree.csv');

    // Assess
    expect(result.rows.map((row) => [row.line, row.status])).toEqual([[3, 'unsubscribed']]);
    expect(result.problems.map((p) => p.severity)).toEqual(['warning', 'warning']);
  });

  it('keeps a row whose date cannot be read, dropping the date with a warning', () => {
    // Prepare
    const file = csv('email,created_at', 'ada@example.org,03/04/2024');

    // Act
    const result = parseSubscriberCsv(file, 'dates.csv');

    // Assess
    expect(result.rows).toEqual([{ line: 2, address: 'ada@example.org', key: 'ada@example.org', status: 'confirmed' }]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        line: 2,
        field: 'created_at',
        severity: 'warning',
        message: expect.stringMatching(/"03\/04\/2024"/),
      }),
    ]);
  });
});

describe('parseExportDate', () => {
  it.each([
    ['2024-03-01 12:34:56', '2024-03-01T12:34:56.000Z'],
    ['2024-03-01T12:34:56Z', '2024-03-01T12:34:56.000Z'],
    ['2024-03-01T12:34:56.789Z', '2024-03-01T12:34:56.789Z'],
    ['2024-03-01T12:34:56.123456Z', '2024-03-01T12:34:56.123Z'],
    ['2024-03-01T12:34:56+02:00', '2024-03-01T10:34:56.000Z'],
    ['2024-03-01T12:34:56-0530', '2024-03-01T18:04:56.000Z'],
    ['2024-03-01T12:34', '2024-03-01T12:34:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('reads %j as %s', (text, iso) => {
    expect(parseExportDate(text)).toBe(iso);
  });

  it.each(['03/04/2024', '2023-02-29', '2024-13-01', '2024-03-01 24:00:00', '0099-01-01', 'yesterday', '2024-3-1'])(
    'refuses %j',
    (text) => {
      expect(parseExportDate(text)).toBeUndefined();
    },
  );
});

describe('an export read back', () => {
  const date = fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
    .map((d) => d.toISOString());
  const trigger = fc.constantFrom('', '=', '+', '-', '@', "'", "'=", "''+", '"', ',');
  const address = fc
    .tuple(
      trigger.filter((p) => !p.includes('"') && !p.includes(',')),
      fc.emailAddress(),
    )
    .map(([prefix, text]) => normalizeAddress(prefix + text))
    .filter((result) => result.ok)
    .map((result) => (result.ok ? result.value : { address: '', key: '' }));
  const namePiece = fc.oneof(
    trigger,
    fc.constantFrom('Ada', ' ', 'Zoë', '李', '😀', '""', '\\', 'x'),
    fc.string({ unit: 'binary', maxLength: 6 }),
  );
  const name = fc
    .array(namePiece, { minLength: 1, maxLength: 8 })
    .map((pieces) => normalizeName(pieces.join('')))
    .map((result) => (result.ok ? result.value : undefined));
  const subscriber = fc
    .record({
      address,
      name,
      status: fc.constantFrom(...SUBSCRIBER_STATUSES),
      subscribedAt: date,
      subscribedVia: fc.constantFrom('form', 'api', 'import:old,list.csv') as fc.Arbitrary<Subscriber['subscribedVia']>,
      confirmedAt: fc.option(date, { nil: undefined }),
      unsubscribedAt: fc.option(date, { nil: undefined }),
      suppressedAt: date,
      suppressedReason: fc.constantFrom<SuppressReason>('bounce', 'complaint', 'import'),
    })
    .map((s): Subscriber => {
      // Each status carries the times it implies; the others may or may not be there, as in real records.
      const confirmedAt = s.status === 'confirmed' ? (s.confirmedAt ?? s.subscribedAt) : s.confirmedAt;
      const unsubscribedAt = s.status === 'unsubscribed' ? (s.unsubscribedAt ?? s.subscribedAt) : s.unsubscribedAt;
      return {
        ...s.address,
        ...(s.name ? { name: s.name } : {}),
        status: s.status,
        subscribedAt: s.subscribedAt,
        subscribedVia: s.subscribedVia,
        ...(confirmedAt ? { confirmedAt, confirmedVia: 'link' as const } : {}),
        ...(unsubscribedAt ? { unsubscribedAt, unsubscribedVia: 'page' as const } : {}),
        ...(s.status === 'suppressed' ? { suppressedAt: s.suppressedAt, suppressedReason: s.suppressedReason } : {}),
        version: 1,
      };
    });

  const expectedRow = (s: Subscriber, line: number): ImportRow => ({
    line,
    address: s.address,
    key: s.key,
    ...(s.name ? { name: s.name } : {}),
    status: s.status,
    subscribedAt: s.subscribedAt,
    ...(s.confirmedAt ? { confirmedAt: s.confirmedAt } : {}),
    ...(s.unsubscribedAt ? { unsubscribedAt: s.unsubscribedAt } : {}),
    ...(s.suppressedAt ? { suppressedAt: s.suppressedAt } : {}),
    ...(s.suppressedReason ? { suppressedReason: s.suppressedReason } : {}),
    subscribedVia: s.subscribedVia,
    ...(s.confirmedVia ? { confirmedVia: s.confirmedVia } : {}),
    ...(s.unsubscribedVia ? { unsubscribedVia: s.unsubscribedVia } : {}),
  });

  it('reproduces every subscriber, through decideImport with attested consent', () => {
    fc.assert(
      fc.property(fc.uniqueArray(subscriber, { selector: (s) => s.key, maxLength: 15 }), (subscribers) => {
        // Act
        const result = parseSubscriberCsv(formatSubscriberCsv(subscribers), 'export.csv');

        // Assess
        expect(result.problems).toEqual([]);
        expect(result.rows).toEqual(subscribers.map((s, index) => expectedRow(s, index + 2)));
        result.rows.forEach((row, index) => {
          const s = subscribers[index] as Subscriber;
          const next = decideImport(undefined, row, {
            now: new Date('2030-01-01T00:00:00Z'),
            file: 'export.csv',
            attested: true,
          }).next;
          expect(next).toMatchObject({
            key: s.key,
            address: s.address,
            status: s.status,
            subscribedAt: s.subscribedAt,
            subscribedVia: s.subscribedVia,
            ...(s.status === 'confirmed' ? { confirmedAt: s.confirmedAt, confirmedVia: s.confirmedVia } : {}),
            ...(s.status === 'unsubscribed'
              ? { unsubscribedAt: s.unsubscribedAt, unsubscribedVia: s.unsubscribedVia }
              : {}),
            ...(s.status === 'suppressed'
              ? { suppressedAt: s.suppressedAt, suppressedReason: s.suppressedReason }
              : {}),
          });
          expect(next?.name).toBe(s.name);
        });
      }),
    );
  });
});
