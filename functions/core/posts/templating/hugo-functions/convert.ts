import { formatFloat, goTypeName } from '../go/format.ts';
import { GoTime } from '../go/time.ts';
import {
  GoFloat,
  GoNamedInt,
  GoNil,
  GoObject,
  GoTemplateError,
  isFloat,
  isMap,
  isNumber,
  mapEntries,
  numberOf,
  SafeHtml,
} from '../go/values.ts';

/**
 * What Hugo's functions do to their arguments before using them (spf13/cast and Hugo's compare package): text,
 * ints and floats from whatever they are given, Go's equality and ordering across types, and slices from lists.
 * A value that cannot be converted is an error naming it, as in Hugo.
 */

const unable = (value: unknown, to: string): GoTemplateError =>
  new GoTemplateError(`unable to cast ${JSON.stringify(describe(value))} of type ${goTypeName(value)} to ${to}`);

const describe = (value: unknown): string => {
  try {
    return typeof value === 'string' ? value : toText(value);
  } catch {
    return goTypeName(value);
  }
};

/**
 * cast.ToString: strings and safe strings as they are, numbers as Go writes them without an exponent, booleans;
 * nil is "". A list or a map is an error.
 */
export const toText = (value: unknown): string => {
  if (value === undefined || value === null || value instanceof GoNil) return '';
  if (typeof value === 'string') return value;
  if (value instanceof SafeHtml) return value.html;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isNumber(value)) return isFloat(value) ? formatFloat(numberOf(value), 'f', -1) : String(numberOf(value));
  if (value instanceof GoNamedInt) return value.name;
  if (value instanceof Date) return new GoTime(value, 'UTC').describe();
  if (value instanceof GoObject) {
    const stringer = value.member('String');
    if (stringer && typeof stringer.value === 'function') return String((stringer.value as () => unknown)());
  }
  throw unable(value, 'string');
};

/** cast.ToInt: ints, floats (truncated), booleans, and text in Go's integer syntax (base prefixes; "042" is octal). */
export const toInt = (value: unknown): number => {
  if (value === undefined || value === null || value instanceof GoNil) return 0;
  if (isNumber(value)) return Math.trunc(numberOf(value));
  if (value instanceof GoNamedInt) return value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || value instanceof SafeHtml) {
    const source = (value instanceof SafeHtml ? value.html : value).trim().replace(/\.0*$/, '');
    const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|\d[\d_]*)$/.exec(source);
    if (!match?.[2]) {
      if (source === '') return 0;
      throw unable(value, 'int');
    }
    const digits = match[2].replace(/_/g, '');
    const sign = match[1] === '-' ? -1 : 1;
    if (/^0[xX]/.test(digits)) return sign * Number.parseInt(digits.slice(2), 16);
    if (/^0[bB]/.test(digits)) return sign * Number.parseInt(digits.slice(2), 2);
    if (/^0[oO]?\d/.test(digits) && digits.length > 1) return sign * Number.parseInt(digits.replace(/^0[oO]?/, ''), 8);
    return sign * Number.parseInt(digits, 10);
  }
  throw unable(value, 'int');
};

/** cast.ToFloat64. */
export const toFloat = (value: unknown): number => {
  if (value === undefined || value === null || value instanceof GoNil) return 0;
  if (isNumber(value)) return numberOf(value);
  if (value instanceof GoNamedInt) return value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || value instanceof SafeHtml) {
    const source = (value instanceof SafeHtml ? value.html : value).trim();
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(source)) return Number(source);
    if (/^[+-]?(?:inf|infinity)$/i.test(source)) return source.startsWith('-') ? -Infinity : Infinity;
    throw unable(value, 'float64');
  }
  throw unable(value, 'float64');
};

/** A list argument: a slice as it is, nil as empty; anything else is an error naming `what`. */
export const toList = (value: unknown, what: string): unknown[] => {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null || value instanceof GoNil) return [];
  throw new GoTemplateError(`${what} can't iterate over ${goTypeName(value)}`);
};

/** Compare's normalisation for eq, as a tagged scalar: kinds, not types (a safe string equals a string; an int never
 * equals a float). Lists, maps and structs stay as they are. */
const normalize = (value: unknown): unknown => {
  if (value === undefined || value === null || value instanceof GoNil) return 'nil';
  if (value instanceof SafeHtml) return `s:${value.html}`;
  if (typeof value === 'string') return `s:${value}`;
  if (typeof value === 'boolean') return `b:${value}`;
  if (value instanceof GoFloat) return `f:${value.value}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `i:${value}` : `f:${value}`;
  if (value instanceof GoNamedInt) return `i:${value.value}`;
  if (value instanceof Date) return `t:${value.getTime()}`;
  if (value instanceof GoTime) return `t:${value.instant.getTime()}`;
  return value;
};

/**
 * Hugo's eq: equal kinds and values, deeply for lists and maps.
 * @example goEqual(3, 3) // true; goEqual(3, new GoFloat(3)) // false, as in Hugo 0.111
 */
export const goEqual = (a: unknown, b: unknown): boolean => {
  const x = normalize(a);
  const y = normalize(b);
  if (typeof x === 'string' || typeof y === 'string') return x === y;
  if (x === y) return true;
  if (Array.isArray(x) || Array.isArray(y)) {
    return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((item, i) => goEqual(item, y[i]));
  }
  if (isMap(x) && isMap(y)) {
    const left = mapEntries(x);
    const right = mapEntries(y);
    return (
      left.length === right.length &&
      left.every(([key, item], i) => key === right[i]?.[0] && goEqual(item, right[i]?.[1]))
    );
  }
  return false;
};

/**
 * Hugo's ordering for lt, le, gt, ge: numbers (and text that reads as a number) by value, other text by text,
 * lists and maps by length, times by instant, booleans as 0 and 1.
 */
export const goCompare = (a: unknown, b: unknown): number => {
  const side = (value: unknown): { number: number; text?: string } => {
    if (isNumber(value)) return { number: numberOf(value) };
    if (value instanceof GoNamedInt) return { number: value.value };
    if (typeof value === 'string' || value instanceof SafeHtml) {
      const source = value instanceof SafeHtml ? value.html : value;
      const parsed = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(source.trim()) ? Number(source) : Number.NaN;
      return Number.isNaN(parsed) ? { number: 0, text: source } : { number: parsed };
    }
    if (Array.isArray(value)) return { number: value.length };
    if (isMap(value)) return { number: value instanceof Map ? value.size : Object.keys(value).length };
    if (value instanceof Date) return { number: value.getTime() };
    if (value instanceof GoTime) return { number: value.instant.getTime() };
    if (typeof value === 'boolean') return { number: value ? 1 : 0 };
    return { number: 0 };
  };
  const left = side(a);
  const right = side(b);
  if (left.text !== undefined && right.text !== undefined) {
    return left.text < right.text ? -1 : left.text > right.text ? 1 : 0;
  }
  return left.number < right.number ? -1 : left.number > right.number ? 1 : 0;
};

/**
 * A field of an element for where and sort: a dotted path (`.Params.tag`, `Title`), through maps and structs. An
 * element without that field has no value there, as Hugo's where skips it.
 */
export const readPath = (value: unknown, path: string, member: (receiver: unknown, name: string) => unknown): unknown =>
  path
    .replace(/^\./, '')
    .split('.')
    .filter((name) => name !== '')
    .reduce<unknown>((current, name) => {
      let found: unknown;
      try {
        found = member(current, name);
      } catch (error) {
        if (error instanceof GoTemplateError) return undefined;
        throw error;
      }
      return typeof found === 'function' ? (found as () => unknown)() : found;
    }, value);

export { mapEntries };
