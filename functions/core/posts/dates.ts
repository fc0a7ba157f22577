import { dateTimeFormat } from '../intl-cache.ts';
/**
 * Front matter dates as Hugo and Jekyll authors write them. Zone-less values are wall-clock times in the site's
 * time zone; the result is always an instant (a `Date`).
 */

/** The forms `parseDateValue` accepts, for messages that tell the author what to write instead. */
export const ACCEPTED_DATE_FORMS =
  '2024-11-14, 2024-11-14T09:30:00+01:00, 2024-11-14T08:30:00Z, 2024-11-14 09:30 +0100 or 2024-11-14 09:30:00';

export type DateReading = { ok: true; date: Date } | { ok: false; reason: string };

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
  if (!match) return { ok: false, reason: `"${text}" is not a date in a form this publisher reads` };
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
