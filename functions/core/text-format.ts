/**
 * Dates, months and counts as the pages show them: Intl in the site's language and time zone, never the host's.
 */

import { dateTimeFormat } from './intl-cache.ts';
import type { SiteConfig } from './types.ts';

type Locale = Pick<SiteConfig, 'language' | 'timeZone'>;

/** The instant of an ISO string, failing loudly (a silent "Invalid Date" on a public page helps nobody). */
export const parseInstant = (iso: string, what: string): Date => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${what} is not an ISO 8601 date: "${iso}"`);
  return date;
};

/** A `<time datetime>` value and the human label for it, e.g. `14 November 2024` in `en-GB`. */
export const describeDate = (iso: string, site: Locale, what: string): { datetime: string; label: string } => {
  const date = parseInstant(iso, what);
  const label = dateTimeFormat(site.language, { dateStyle: 'long', timeZone: site.timeZone }).format(date);
  return { datetime: date.toISOString(), label };
};

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Year and month of a `YYYY-MM` archive key; throws on anything else so a bad key cannot build a bad path. */
export const splitMonth = (month: string): { year: string; monthIndex: number } => {
  const match = MONTH.exec(month);
  if (!match?.[1] || !match[2]) throw new RangeError(`archive month must look like 2024-11, got "${month}"`);
  return { year: match[1], monthIndex: Number(match[2]) - 1 };
};

/** `November 2024` (or `November` with `withYear: false`) in the site's language. */
export const formatMonth = (month: string, site: Pick<SiteConfig, 'language'>, withYear = true): string => {
  const { year, monthIndex } = splitMonth(month);
  // A calendar month has no time zone: format the first of the month in UTC so no offset can shift it.
  const date = new Date(Date.UTC(Number(year), monthIndex, 1));
  return dateTimeFormat(site.language, {
    month: 'long',
    ...(withYear ? { year: 'numeric' } : {}),
    timeZone: 'UTC',
  }).format(date);
};

/** `1 post`, `3 posts`. The page chrome is English, so the plural rule is too. */
export const countPosts = (count: number): string => `${count} ${count === 1 ? 'post' : 'posts'}`;

/**
 * Shortens text to at most `max` characters at a word boundary, adding an ellipsis; counts code points so an emoji
 * is never cut in half.
 */
export const truncateText = (text: string, max: number): string => {
  const chars = Array.from(text.trim().replace(/\s+/g, ' '));
  if (chars.length <= max) return chars.join('');
  const cut = chars.slice(0, max - 1).join('');
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
};

/**
 * The paragraphs of a plain-text field: a summary keeps the blank lines between the paragraphs it was cut from.
 * @example textParagraphs('One.\n\nTwo.') // ['One.', 'Two.']
 */
export const textParagraphs = (text: string): string[] =>
  text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
