import { GoNamedInt, GoObject, GoTemplateError, isNumber, numberOf, text } from './values.ts';

/**
 * Go's time.Time for templates: an instant seen in a time zone (an IANA name, or a fixed offset as a date written
 * with `+02:00` carries), with the methods templates call (Year, Month, Format, AddDate, Unix, …) and Go's layout
 * language for Format (`Jan 2, 2006 15:04`), plus Hugo's localized layouts (`:date_long`) in English.
 */

/** English month names, January first (Go's and Jekyll's `long_month`). */
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** English day names, Sunday first (Go's Weekday order). */
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A zone: an IANA name, or a fixed offset in minutes east of UTC. */
export type Zone = string | { offsetMinutes: number };

type Parts = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number;
  offsetMinutes: number;
};

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC that `zone` is at `instant`. */
const offsetAt = (instant: Date, zone: Zone): number => {
  if (typeof zone !== 'string') return zone.offsetMinutes;
  if (zone === 'UTC') return 0;
  let formatter = offsetFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, formatter);
  }
  const name = formatter.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
};

const partsOf = (instant: Date, zone: Zone): Parts => {
  const offsetMinutes = offsetAt(instant, zone);
  const local = new Date(instant.getTime() + offsetMinutes * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
    weekday: local.getUTCDay(),
    offsetMinutes,
  };
};

const abbreviations = new Map<string, Intl.DateTimeFormat[]>();

/** The zone's abbreviation as Go prints it for MST: UTC, PST, CET, or the offset (+0200) when it has none. */
const abbreviation = (instant: Date, zone: Zone, offsetMinutes: number): string => {
  const numeric = () => {
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    const minutes = abs % 60;
    return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${minutes ? String(minutes).padStart(2, '0') : ''}`;
  };
  if (typeof zone !== 'string') return `${numeric()}${Math.abs(offsetMinutes) % 60 ? '' : '00'}`;
  if (zone === 'UTC' || zone === 'Etc/UTC') return 'UTC';
  let formatters = abbreviations.get(zone);
  if (!formatters) {
    formatters = ['en-US', 'en-GB'].map(
      (locale) => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }),
    );
    abbreviations.set(zone, formatters);
  }
  for (const formatter of formatters) {
    const name = formatter.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{2,5}$/.test(name)) return name;
  }
  return numeric();
};

const pad = (value: number, width: number, char = '0'): string => String(value).padStart(width, char);

const zoneText = (offsetMinutes: number, colon: boolean, seconds: boolean, hoursOnly: boolean): string => {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hours = pad(Math.floor(abs / 60), 2);
  const minutes = pad(abs % 60, 2);
  if (hoursOnly) return `${sign}${hours}`;
  const separator = colon ? ':' : '';
  return `${sign}${hours}${separator}${minutes}${seconds ? `${separator}00` : ''}`;
};

/** The layout tokens Go recognises, longest first where one starts another. */
const LAYOUT =
  /January|Jan|Monday|Mon|MST|2006|002|01|02|03|04|05|06|15|__2|_2|1|2|3|4|5|PM|pm|-07:00:00|-070000|-07:00|-0700|-07|Z07:00:00|Z070000|Z07:00|Z0700|Z07|[.,](?:0+|9+)(?!\d)/g;

/**
 * Formats with Go's reference-time layout.
 * @example formatTime(new Date('2024-03-05T08:20:30Z'), 'Europe/Paris', 'Jan 2, 2006 15:04') // 'Mar 5, 2024 09:20'
 */
export const formatTime = (instant: Date, zone: Zone, layout: string): string => {
  const parts = partsOf(instant, zone);
  const hour12 = parts.hour % 12 === 0 ? 12 : parts.hour % 12;
  const yearDay = dayOfYear(parts);
  return layout.replace(LAYOUT, (token) => {
    switch (token) {
      case 'January':
        return MONTHS[parts.month - 1] ?? '';
      case 'Jan':
        return (MONTHS[parts.month - 1] ?? '').slice(0, 3);
      case 'Monday':
        return DAYS[parts.weekday] ?? '';
      case 'Mon':
        return (DAYS[parts.weekday] ?? '').slice(0, 3);
      case 'MST':
        return abbreviation(instant, zone, parts.offsetMinutes);
      case '2006':
        return pad(parts.year, 4);
      case '06':
        return pad(parts.year % 100, 2);
      case '002':
        return pad(yearDay, 3);
      case '__2':
        return pad(yearDay, 3, ' ');
      case '01':
        return pad(parts.month, 2);
      case '1':
        return String(parts.month);
      case '02':
        return pad(parts.day, 2);
      case '_2':
        return pad(parts.day, 2, ' ');
      case '2':
        return String(parts.day);
      case '15':
        return pad(parts.hour, 2);
      case '03':
        return pad(hour12, 2);
      case '3':
        return String(hour12);
      case '04':
        return pad(parts.minute, 2);
      case '4':
        return String(parts.minute);
      case '05':
        return pad(parts.second, 2);
      case '5':
        return String(parts.second);
      case 'PM':
        return parts.hour >= 12 ? 'PM' : 'AM';
      case 'pm':
        return parts.hour >= 12 ? 'pm' : 'am';
      default:
        break;
    }
    if (token.startsWith('Z') && parts.offsetMinutes === 0) return 'Z';
    if (/^[-Z]07/.test(token)) {
      const body = token.slice(1);
      return zoneText(parts.offsetMinutes, body.includes(':'), body.length > 5, body === '07');
    }
    // Fractional seconds: .000 always shows its digits, .999 drops trailing zeros (and the point when none are left).
    const digits = token.length - 1;
    const fraction = pad(parts.millisecond, 3).padEnd(9, '0').slice(0, digits);
    if (token[1] === '0') return token[0] + fraction;
    const trimmed = fraction.replace(/0+$/, '');
    return trimmed === '' ? '' : token[0] + trimmed;
  });
};

const dayOfYear = (parts: Parts): number =>
  Math.round((Date.UTC(parts.year, parts.month - 1, parts.day) - Date.UTC(parts.year, 0, 1)) / 86_400_000) + 1;

/** Hugo's localized layouts, in English (the only language here). */
const LOCALIZED: Record<string, string> = {
  ':date_full': 'Monday, January 2, 2006',
  ':date_long': 'January 2, 2006',
  ':date_medium': 'Jan 2, 2006',
  ':date_short': '1/2/06',
  ':time_full': '3:04:05 pm ',
  ':time_long': '3:04:05 pm ',
  ':time_medium': '3:04:05 pm',
  ':time_short': '3:04 pm',
};

/** Hugo's time.Format layout: Go's, or one of its localized names. */
export const formatTimeLayout = (time: GoTime, layout: string): string =>
  formatTime(time.instant, time.zone, LOCALIZED[layout] ?? layout);

export class GoTime extends GoObject {
  readonly typeName = 'time.Time';

  constructor(
    readonly instant: Date,
    readonly zone: Zone,
  ) {
    super();
  }

  private parts(): Parts {
    return partsOf(this.instant, this.zone);
  }

  member(name: string): { value: unknown } | undefined {
    const method = this.method(name);
    return method ? { value: method } : undefined;
  }

  private method(name: string): ((...args: unknown[]) => unknown) | undefined {
    switch (name) {
      case 'Year':
        return () => this.parts().year;
      case 'Month':
        return () => {
          const month = this.parts().month;
          return new GoNamedInt(month, MONTHS[month - 1] ?? '', 'time.Month');
        };
      case 'Day':
        return () => this.parts().day;
      case 'Hour':
        return () => this.parts().hour;
      case 'Minute':
        return () => this.parts().minute;
      case 'Second':
        return () => this.parts().second;
      case 'Nanosecond':
        return () => this.parts().millisecond * 1_000_000;
      case 'YearDay':
        return () => dayOfYear(this.parts());
      case 'Weekday':
        return () => {
          const day = this.parts().weekday;
          return new GoNamedInt(day, DAYS[day] ?? '', 'time.Weekday');
        };
      case 'Unix':
        return () => Math.floor(this.instant.getTime() / 1000);
      case 'UnixMilli':
        return () => this.instant.getTime();
      case 'UnixNano':
        return () => this.instant.getTime() * 1_000_000;
      case 'IsZero':
        return () => this.instant.getTime() === ZERO_TIME;
      case 'Format':
        return (layout: unknown) => formatTime(this.instant, this.zone, text(layout));
      case 'String':
        return () => this.describe();
      case 'UTC':
        return () => new GoTime(this.instant, 'UTC');
      case 'Local':
        return () => this;
      case 'Before':
        return (other: unknown) => this.instant.getTime() < instantOf(other, 'Before').getTime();
      case 'After':
        return (other: unknown) => this.instant.getTime() > instantOf(other, 'After').getTime();
      case 'Equal':
        return (other: unknown) => this.instant.getTime() === instantOf(other, 'Equal').getTime();
      case 'Sub':
        return (other: unknown) => (this.instant.getTime() - instantOf(other, 'Sub').getTime()) * 1_000_000;
      case 'Add':
        return (nanoseconds: unknown) =>
          new GoTime(new Date(this.instant.getTime() + Math.trunc(toNumber(nanoseconds) / 1_000_000)), this.zone);
      case 'AddDate':
        return (years: unknown, months: unknown, days: unknown) => this.addDate(years, months, days);
      default:
        return undefined;
    }
  }

  /** Go's AddDate: calendar arithmetic in the time's zone, normalising overflow (Jan 31 + 1 month = Mar 2 or 3). */
  private addDate(years: unknown, months: unknown, days: unknown): GoTime {
    const parts = this.parts();
    const localMs = Date.UTC(
      parts.year + toNumber(years),
      parts.month - 1 + toNumber(months),
      parts.day + toNumber(days),
      parts.hour,
      parts.minute,
      parts.second,
      parts.millisecond,
    );
    const guess = new Date(localMs - parts.offsetMinutes * 60_000);
    const corrected = new Date(localMs - offsetAt(guess, this.zone) * 60_000);
    return new GoTime(corrected, this.zone);
  }

  describe(): string {
    return formatTime(this.instant, this.zone, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
}

/** Go's zero time (January 1, year 1, UTC). */
const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

const toNumber = (value: unknown): number => {
  if (isNumber(value)) return Math.trunc(numberOf(value));
  if (value instanceof GoNamedInt) return value.value;
  throw new GoTemplateError(`expected a number, got ${text(value)}`);
};

const instantOf = (value: unknown, method: string): Date => {
  if (value instanceof GoTime) return value.instant;
  if (value instanceof Date) return value;
  throw new GoTemplateError(`${method} needs a time`);
};

/**
 * A time from what a template gives (`time "2024-01-15"`): a time, a Date, Unix seconds, or text in one of the
 * forms Hugo reads (RFC 3339 with or without zone, date and time with a space, a date alone). Text without a zone is
 * in `zone`.
 */
export const toTime = (value: unknown, zone: Zone): GoTime => {
  if (value instanceof GoTime) return value;
  if (value instanceof Date) return new GoTime(value, zone);
  if (isNumber(value)) return new GoTime(new Date(numberOf(value) * 1000), zone);
  const source = text(value).trim();
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      source,
    );
  if (!match || (match[4] !== undefined && match[6] === undefined && match[0].includes(' '))) {
    throw new GoTemplateError(`unable to parse date: ${source}`);
  }
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '0', offset] = match;
  const localMs = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Math.floor(Number(`0.${fraction}`) * 1000),
  );
  if (offset !== undefined) {
    const offsetMinutes =
      offset === 'Z'
        ? 0
        : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
    const fixed: Zone = offset === 'Z' ? 'UTC' : { offsetMinutes };
    return new GoTime(new Date(localMs - offsetMinutes * 60_000), fixed);
  }
  const guess = new Date(localMs - offsetAt(new Date(localMs), zone) * 60_000);
  return new GoTime(new Date(localMs - offsetAt(guess, zone) * 60_000), zone);
};
