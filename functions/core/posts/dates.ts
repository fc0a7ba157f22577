import { dateTimeFormat } from '../intl-cache.ts';
/**
 * Front matter dates as Hugo and Jekyll authors write them. Zone-less values are wall-clock times in the site's
 * time zone; the result is always an instant (a `Date`).
 */

/** The forms `parseDateValue` accepts, for messages that tell the author what to write instead. */
export const ACCEPTED_DATE_FORMS =
  '2024-11-14, 2024-11-14T09:30:00+01:00, 2024-11-14T08:30:00Z, 2024-11-14 09:30 +0100 or 2024-11-14 09:30:00';

/** A date read; `note` says what of the text was left unread (a weekday, a zone Jekyll does not know). */
export type DateReading = { ok: true; date: Date; note?: string } | { ok: false; reason: string };

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const DATE_PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

/**
 * Reads a front matter date: a string in one of the accepted forms, or a `Date` a parser already made.
 * Date-only values and times without an offset are read in `timeZone`.
 * @example parseDateValue('2019-10-25 10:28 +0200', 'UTC') // { ok: true, date: 2019-10-25T08:28:00.000Z }
 */
export const parseDateValue = (value: unknown, timeZone: string): DateReading => {
  if (value instanceof Date) return readParsedDate(value, timeZone);
  if (typeof value !== 'string') return { ok: false, reason: `${describe(value)} is not a date` };
  const text = value.trim();
  const match = DATE_PATTERN.exec(text);
  if (!match) return parseLooseDate(text, timeZone);
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const wall: WallTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    millisecond: Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)),
  };
  const invalid = findInvalidPart(wall);
  if (invalid) return { ok: false, reason: `"${text}" is not a real date or time (${invalid})` };
  if (zulu) return { ok: true, date: new Date(wallToUtcMillis(wall)) };
  if (sign) {
    const offset = Number(offsetHours) * 60 + Number(offsetMinutes ?? 0);
    if (Number(offsetHours) > 18 || Number(offsetMinutes ?? 0) > 59) {
      return { ok: false, reason: `"${text}" has an impossible UTC offset` };
    }
    const signed = sign === '-' ? -offset : offset;
    return { ok: true, date: new Date(wallToUtcMillis(wall) - signed * 60_000) };
  }
  return { ok: true, date: wallTimeToInstant(wall, timeZone) };
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';

/** The zone names Ruby's Time.parse knows (Time::ZoneOffset), in hours east of UTC; others it ignores. */
const RUBY_ZONES: Record<string, number> = {
  UTC: 0,
  UT: 0,
  GMT: 0,
  Z: 0,
  EST: -5,
  EDT: -4,
  CST: -6,
  CDT: -5,
  MST: -7,
  MDT: -6,
  PST: -8,
  PDT: -7,
};

/** The calendar date, in the forms Ruby's Date._parse reads most often; each match is [year, month, day]. */
const LOOSE_DATES: [RegExp, (m: RegExpExecArray) => [string, string | number, string]][] = [
  [/\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/, (m) => [m[1] ?? '', m[2] ?? '', m[3] ?? '']],
  [
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})\\b`, 'i'),
    (m) => [m[3] ?? '', monthOf(m[2]), m[1] ?? ''],
  ],
  [
    new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i'),
    (m) => [m[3] ?? '', monthOf(m[1]), m[2] ?? ''],
  ],
  // Ruby reads a/b/yyyy as day/month/year.
  [/\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/, (m) => [m[3] ?? '', m[2] ?? '', m[1] ?? '']],
  [new RegExp(`\\b${MONTH}\\s+(\\d{4})\\b`, 'i'), (m) => [m[2] ?? '', monthOf(m[1]), '1']],
];

const monthOf = (name: string | undefined): number => MONTHS.indexOf((name ?? '').slice(0, 3).toLowerCase()) + 1;

const LOOSE_TIME =
  /\b(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([ap])\.?m\.?\b)?|\b(\d{1,2})\s*([ap])\.?m\.?\b/i;
const LOOSE_OFFSET = /(?:^|\s|(?<=\d))([+-])(\d{2}):?(\d{2})?\b/;

/**
 * Dates as Jekyll's Ruby reads them (Time.parse) where they are not in one of the exact forms: words around the
 * date (`Tuesday 2019-05-07 at 10:00`), a year written twice, month names (`May 8, 2019 3:15pm`, `8 May 2019`),
 * day/month/year with slashes, and the zone names Ruby knows. Anything else is left unread and said in `note`.
 */
const parseLooseDate = (text: string, timeZone: string): DateReading => {
  let rest = ` ${text} `;
  const take = (pattern: RegExp): RegExpExecArray | null => {
    const found = pattern.exec(rest);
    if (found) rest = `${rest.slice(0, found.index)} ${rest.slice(found.index + found[0].length)}`;
    return found;
  };
  let calendar: [string, string | number, string] | undefined;
  for (const [pattern, read] of LOOSE_DATES) {
    const found = take(pattern);
    if (found) {
      calendar = read(found);
      break;
    }
  }
  if (!calendar) return { ok: false, reason: `"${text}" is not a date in a form this publisher reads` };
  const time = take(LOOSE_TIME);
  let hour = Number(time?.[1] ?? time?.[6] ?? 0);
  const meridiem = (time?.[5] ?? time?.[7])?.toLowerCase();
  if (meridiem === 'p' && hour < 12) hour += 12;
  if (meridiem === 'a' && hour === 12) hour = 0;
  const wall: WallTime = {
    year: Number(calendar[0]),
    month: Number(calendar[1]),
    day: Number(calendar[2]),
    hour,
    minute: Number(time?.[2] ?? 0),
    second: Number(time?.[3] ?? 0),
    millisecond: Number((time?.[4] ?? '0').padEnd(3, '0').slice(0, 3)),
  };
  const invalid = findInvalidPart(wall);
  if (invalid) return { ok: false, reason: `"${text}" is not a real date or time (${invalid})` };
  const offset = take(LOOSE_OFFSET);
  // A numeric offset wins over a zone name beside it (`-0500 EST`), which is then read and dropped.
  const zoneWord = take(/\b(UTC|UT|GMT|Z|[ECMP][SD]T)\b/);
  const unknownZone = offset || zoneWord ? undefined : /\b([A-Z]{3,5})\b/.exec(rest)?.[1];
  const leftover = rest.replace(/\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:at|on|the|of)\b|[,]/gi, ' ').trim();
  const notes = [
    unknownZone
      ? `the zone "${unknownZone}" is not one Ruby's Time.parse knows, so the time is read in ${timeZone}`
      : '',
    leftover !== '' && leftover !== unknownZone ? `"${leftover.replace(/\s+/g, ' ')}" was left unread` : '',
  ].filter(Boolean);
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  let instant: Date;
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
    instant = new Date(wallToUtcMillis(wall) - (offset[1] === '-' ? -minutes : minutes) * 60_000);
  } else if (zoneWord) {
    instant = new Date(wallToUtcMillis(wall) - (RUBY_ZONES[(zoneWord[1] ?? '').toUpperCase()] ?? 0) * 3_600_000);
  } else instant = wallTimeToInstant(wall, timeZone);
  return note ? { ok: true, date: instant, note } : { ok: true, date: instant };
};

/**
 * The date in a Jekyll file name (`2024-11-14-my-post.md`), as midnight in `timeZone`; undefined when the name
 * has no valid date prefix.
 */
export const dateFromFileName = (fileName: string, timeZone: string): Date | undefined => {
  const match = /^(\d{4}-\d{2}-\d{2})-/.exec(fileName);
  if (!match?.[1]) return undefined;
  const reading = parseDateValue(match[1], timeZone);
  return reading.ok ? reading.date : undefined;
};

/**
 * The instant at which clocks in `timeZone` show the wall time. In a spring-forward gap the result is the
 * instant the same number of minutes after the gap began, as most calendars do.
 */
export const wallTimeToInstant = (wall: WallTime, timeZone: string): Date => {
  const asUtc = wallToUtcMillis(wall);
  const firstGuess = asUtc - offsetMillisAt(asUtc, timeZone);
  const secondGuess = asUtc - offsetMillisAt(firstGuess, timeZone);
  return new Date(secondGuess);
};

/** Offset of `timeZone` from UTC at an instant, in milliseconds (positive east of Greenwich). */
export const offsetMillisAt = (instant: number, timeZone: string): number => {
  const parts = dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const shown = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return shown - wholeSeconds;
};

/**
 * YAML parsers turn unquoted timestamps into Dates: UTC midnight is a bare calendar date (re-read in the site's
 * zone); anything else already carried its own time and is kept.
 */
const readParsedDate = (value: Date, timeZone: string): DateReading => {
  if (Number.isNaN(value.getTime())) return { ok: false, reason: 'the date is not valid' };
  const isMidnightUtc =
    value.getUTCHours() === 0 &&
    value.getUTCMinutes() === 0 &&
    value.getUTCSeconds() === 0 &&
    value.getUTCMilliseconds() === 0;
  if (!isMidnightUtc) return { ok: true, date: value };
  return {
    ok: true,
    date: wallTimeToInstant(
      {
        year: value.getUTCFullYear(),
        month: value.getUTCMonth() + 1,
        day: value.getUTCDate(),
        hour: 0,
        minute: 0,
        second: 0,
        millisecond: 0,
      },
      timeZone,
    ),
  };
};

const findInvalidPart = (wall: WallTime): string | undefined => {
  if (wall.month < 1 || wall.month > 12) return `there is no month ${wall.month}`;
  const daysInMonth = new Date(Date.UTC(wall.year, wall.month, 0)).getUTCDate();
  if (wall.day < 1 || wall.day > daysInMonth) return `month ${wall.month} of ${wall.year} has ${daysInMonth} days`;
  if (wall.hour > 23) return `there is no hour ${wall.hour}`;
  if (wall.minute > 59) return `there is no minute ${wall.minute}`;
  if (wall.second > 59) return `there is no second ${wall.second}`;
  return undefined;
};

const wallToUtcMillis = (wall: WallTime): number => {
  const date = new Date(0);
  // setUTCFullYear keeps years below 100 literal, where Date.UTC would map them to 19xx.
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
};

const describe = (value: unknown): string => {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the value ${value}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a nested object';
  return `"${String(value)}"`;
};
