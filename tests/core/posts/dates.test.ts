import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateFromFileName, parseDateValue } from '../../../functions/core/posts/dates.ts';

const iso = (value: unknown, timeZone = 'Europe/Berlin'): string => {
  const reading = parseDateValue(value, timeZone);
  if (!reading.ok) throw new Error(reading.reason);
  return reading.date.toISOString();
};

describe('parseDateValue', () => {
  it.each([
    ['date only, in the site zone (winter)', '2024-11-14', '2024-11-13T23:00:00.000Z'],
    ['date only, in the site zone (summer)', '2024-07-01', '2024-06-30T22:00:00.000Z'],
    ['ISO 8601 with an offset', '2024-11-14T09:30:00+01:00', '2024-11-14T08:30:00.000Z'],
    ['ISO 8601 in UTC', '2024-11-14T08:30:00Z', '2024-11-14T08:30:00.000Z'],
    ['ISO 8601 with fractions of a second', '2024-11-14T08:30:00.250Z', '2024-11-14T08:30:00.250Z'],
    ['Jekyll without seconds', '2019-10-25 10:28 +0200', '2019-10-25T08:28:00.000Z'],
    ['Jekyll with seconds', '2019-10-25 10:28:00 +0200', '2019-10-25T08:28:00.000Z'],
    ['a negative offset', '2024-01-02T03:04:05-05:30', '2024-01-02T08:34:05.000Z'],
    ['a zone-less date and time, in the site zone', '2024-11-14 10:00', '2024-11-14T09:00:00.000Z'],
    ['a zone-less ISO date and time in summer', '2024-07-01T10:00:00', '2024-07-01T08:00:00.000Z'],
    ['surrounding whitespace', '  2024-11-14T08:30:00Z ', '2024-11-14T08:30:00.000Z'],
    ['a leap day', '2024-02-29', '2024-02-28T23:00:00.000Z'],
  ])('reads %s', (_name, input, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = iso(input);
    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['February 30', '2024-02-30', /29 days/],
    ['month 13', '2024-13-01', /no month 13/],
    ['a leap day in a common year', '2023-02-29', /28 days/],
    ['hour 25', '2024-01-01T25:00:00Z', /no hour 25/],
    ['an English phrase', 'next Tuesday', /not a date/],
    ['a US date, read day first as Ruby does', '11/14/2024', /no month 14/],
    ['a number', 2024, /number 2024/],
    ['an empty value', null, /empty value/],
    ['a list', ['2024-01-01'], /a list/],
    ['an invalid Date object', new Date(Number.NaN), /not valid/],
  ])('rejects %s with a reason', (_name, input, reason) => {
    // Prepare: nothing beyond the table row.
    // Act
    const reading = parseDateValue(input, 'UTC');
    // Assess
    expect(reading.ok).toBe(false);
    expect(reading.ok ? '' : reading.reason).toMatch(reason);
  });

  it('re-reads a YAML date at UTC midnight as a calendar date in the site zone', () => {
    // Prepare: what js-yaml makes of an unquoted 2024-11-14.
    const fromYaml = new Date(Date.UTC(2024, 10, 14));
    // Act
    const result = iso(fromYaml, 'America/New_York');
    // Assess
    expect(result).toBe('2024-11-14T05:00:00.000Z');
  });

  it('keeps a parsed Date that carries a time of day', () => {
    // Prepare
    const instant = new Date('2024-11-14T08:30:00Z');
    // Act
    const result = iso(instant);
    // Assess
    expect(result).toBe('2024-11-14T08:30:00.000Z');
  });

  it('reads a wall time inside a spring-forward gap as a real instant', () => {
    // Prepare: 02:30 does not exist in Berlin on 31 March 2024.
    // Act
    const result = iso('2024-03-31 02:30');
    // Assess
    expect(['2024-03-31T00:30:00.000Z', '2024-03-31T01:30:00.000Z']).toContain(result);
  });

  /**
   * Property: writing any instant as a wall-clock time in any UTC offset, in either the ISO 8601 or the Jekyll
   * form, and reading it back gives the same instant.
   */
  it('round-trips any instant written in any offset', () => {
    const pad = (value: number, length = 2): string => String(value).padStart(length, '0');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.boolean(),
        (instant, offsetMinutes, jekyllForm) => {
          // Prepare
          const wall = new Date(instant.getTime() + offsetMinutes * 60_000);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const offsetHours = pad(Math.floor(Math.abs(offsetMinutes) / 60));
          const offsetRest = pad(Math.abs(offsetMinutes) % 60);
          const day = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
          const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
          const text = jekyllForm
            ? `${day} ${time}.${pad(wall.getUTCMilliseconds(), 3)} ${sign}${offsetHours}${offsetRest}`
            : `${day}T${time}.${pad(wall.getUTCMilliseconds(), 3)}${sign}${offsetHours}:${offsetRest}`;
          // Act
          const reading = parseDateValue(text, 'Europe/Berlin');
          // Assess
          expect(reading.ok && reading.date.getTime()).toBe(instant.getTime());
        },
      ),
    );
  });
});

describe('dateFromFileName', () => {
  it('reads the Jekyll date prefix as midnight in the site zone', () => {
    // Prepare
    const name = '2024-11-14-my-post.md';
    // Act
    const date = dateFromFileName(name, 'Europe/Berlin');
    // Assess
    expect(date?.toISOString()).toBe('2024-11-13T23:00:00.000Z');
  });

  it.each(['my-post.md', '2024-11-my-post.md', '2024-02-30-impossible.md', '20241114-post.md'])(
    'finds no date in %s',
    (name) => {
      // Prepare: nothing beyond the name.
      // Act
      const date = dateFromFileName(name, 'UTC');
      // Assess
      expect(date).toBeUndefined();
    },
  );
});
