/**
 * Date formats the feed formats require. Both always speak UTC, so the output does not depend on the machine.
 */

/**
 * RFC 822 (as amended by RFC 1123) for RSS 2.0, in GMT.
 * @example formatRfc822(new Date('2019-10-25T10:28:00+02:00')) // 'Fri, 25 Oct 2019 08:28:00 GMT'
 */
export const formatRfc822 = (date: Date): string => date.toUTCString();

/**
 * RFC 3339 for Atom and JSON Feed, in UTC, to the second: RSS cannot carry fractions, and every format should name
 * the same instant.
 * @example formatRfc3339(new Date('2019-10-25T10:28:00.250+02:00')) // '2019-10-25T08:28:00Z'
 */
export const formatRfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
