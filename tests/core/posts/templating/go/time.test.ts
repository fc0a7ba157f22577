import { describe, expect, it } from 'vitest';
import {
  formatTime,
  formatTimeLayout,
  GoTime,
  toTime,
} from '../../../../../functions/core/posts/templating/go/time.ts';

/* Go's time formatting; expected strings printed by Hugo 0.111.3 for a date written `2024-03-05T10:20:30+02:00`. */

const PLUS_TWO = { offsetMinutes: 120 };
const INSTANT = new Date('2024-03-05T08:20:30Z');

describe('formatTime', () => {
  it.each([
    ['Monday, 02-Jan-06 3:04:05 PM Z07:00 .000 _2 002', 'Tuesday, 05-Mar-24 10:20:30 AM +02:00 .000  5 065'],
    ['2006-01-02T15:04:05-07:00', '2024-03-05T10:20:30+02:00'],
    ['Jan 2, 2006 15:04 MST -0700', 'Mar 5, 2024 10:20 +0200 +0200'],
    ['3:04pm', '10:20am'],
    ['02 Jan 2006', '05 Mar 2024'],
  ])('writes %s as %s', (layout, expected) => {
    // Prepare, Act, Assess
    expect(formatTime(INSTANT, PLUS_TWO, layout)).toBe(expected);
  });

  it("writes Hugo's localized layouts in English", () => {
    // Prepare
    const time = new GoTime(INSTANT, PLUS_TWO);
    // Act
    const out = [':date_full', ':date_long', ':date_medium', ':date_short', ':time_short'].map((layout) =>
      formatTimeLayout(time, layout),
    );
    // Assess
    expect(out).toEqual(['Tuesday, March 5, 2024', 'March 5, 2024', 'Mar 5, 2024', '3/5/24', '10:20 am']);
  });

  it('names a zone by its abbreviation where it has one', () => {
    // Prepare, Act, Assess
    expect(formatTime(new Date('2024-01-15T12:00:00Z'), 'Europe/Paris', '15:04 MST')).toBe('13:00 CET');
    expect(formatTime(new Date('2024-01-15T12:00:00Z'), 'UTC', 'Z07:00 MST')).toBe('Z UTC');
  });
});

describe('GoTime', () => {
  it('prints, adds calendar months and reads its parts as Go does', () => {
    // Prepare
    const time = new GoTime(INSTANT, PLUS_TWO);
    const member = (name: string, ...args: unknown[]) =>
      ((time.member(name) ?? { value: undefined }).value as (...a: unknown[]) => unknown)(...args);
    // Act, Assess
    expect(time.describe()).toBe('2024-03-05 10:20:30 +0200 +0200');
    expect((member('AddDate', 0, 1, 0) as GoTime).describe()).toBe('2024-04-05 10:20:30 +0200 +0200');
    expect([
      member('Year'),
      String((member('Month') as { name: string }).name),
      member('Day'),
      member('YearDay'),
    ]).toEqual([2024, 'March', 5, 65]);
    expect(member('Unix')).toBe(1709626830);
  });

  it.each([
    ['2024-02-01', '2024-02-01 00:00:00 +0000 UTC'],
    ['2024-02-01 10:00:00', '2024-02-01 10:00:00 +0000 UTC'],
    ['2024-02-01T10:00:00+05:00', '2024-02-01 10:00:00 +0500 +0500'],
  ])("reads %s as Hugo's time function does", (text, expected) => {
    // Prepare, Act, Assess
    expect(toTime(text, 'UTC').describe()).toBe(expected);
  });

  it('refuses text that is not a date', () => {
    // Prepare, Act, Assess
    expect(() => toTime('2024-02-01 10:00', 'UTC')).toThrow(/unable to parse date/);
  });
});
