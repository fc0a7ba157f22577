/**
 * The values a Go template works with, as JavaScript values: strings, booleans, numbers (an integral JavaScript
 * number is Go's int; a fractional one, or a GoFloat box, is float64), arrays (slices), plain objects and Maps (maps),
 * undefined (nil), and the classes below for what Go has and JavaScript does not: html/template's safe HTML, Go's
 * structs with fields and methods (pages, sites, resources, times), and a typed nil whose fields cannot be read.
 */

export class GoTemplateError extends Error {
  /** 1-based line in the template where it happened, once known. */
  line?: number;
}

/** A template that ran out of its budget (steps, output or depth): always fatal, never caught by the template. */
export class GoTemplateLimitError extends GoTemplateError {}

/** HTML that is printed as is (html/template's template.HTML). */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** A float64 whose value is integral (2.0): kept apart from the int 2, as Go keeps them (`div 7 2.0` is 3.5). */
export class GoFloat {
  constructor(readonly value: number) {}
}

export type GoNumber = number | GoFloat;

export const isNumber = (value: unknown): value is GoNumber => typeof value === 'number' || value instanceof GoFloat;

export const isFloat = (value: unknown): boolean =>
  value instanceof GoFloat || (typeof value === 'number' && !Number.isInteger(value));

export const numberOf = (value: GoNumber): number => (typeof value === 'number' ? value : value.value);

/** A float64 result: boxed when integral, so it stays a float. */
export const float = (value: number): GoNumber => (Number.isInteger(value) ? new GoFloat(value) : value);

/** An int with a name that prints instead of the number: time.Month (March), time.Weekday (Tuesday). */
export class GoNamedInt {
  constructor(
    readonly value: number,
    readonly name: string,
    readonly typeName: string,
  ) {}
}

/** A Go value with named members (a struct or an interface): fields, and methods that are functions. */
export abstract class GoObject {
  /** The type as Go's errors and %T name it: `page.Page`, `time.Time`. */
  abstract readonly typeName: string;
  /** The member called `name` (case-sensitive, as in Go), or undefined when the type has none. */
  abstract member(name: string): { value: unknown } | undefined;
  /** What fmt prints for it (%v). */
  abstract describe(): string;
}

/** A struct built from a record of members; a function member is a method (called when read as a field). */
export class GoStruct extends GoObject {
  constructor(
    readonly typeName: string,
    private readonly members: Record<string, unknown>,
    private readonly text?: () => string,
  ) {
    super();
  }

  member(name: string): { value: unknown } | undefined {
    return Object.hasOwn(this.members, name) ? { value: this.members[name] } : undefined;
  }

  describe(): string {
    return this.text ? this.text() : `{${this.typeName}}`;
  }
}

/**
 * A nil of a known type (no resource matched, no parent shortcode): false in `if` and `with`, printed as nothing
 * (or `<nil>`, as Go prints some), and an error when a field of it is read, as in Go.
 */
export class GoNil {
  constructor(
    readonly typeName: string,
    readonly printed = '',
    /** Why it is nil, for the error when it is used anyway. */
    readonly reason?: string,
  ) {}
}

export const isNil = (value: unknown): boolean => value === undefined || value === null || value instanceof GoNil;

export const isMap = (value: unknown): value is Record<string, unknown> | Map<unknown, unknown> =>
  value instanceof Map ||
  (typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null));

/** The entries of a map, sorted by key as Go's fmt and range sort them. */
export const mapEntries = (value: Record<string, unknown> | Map<unknown, unknown>): [string, unknown][] => {
  const entries: [string, unknown][] =
    value instanceof Map ? [...value.entries()].map(([key, item]) => [String(key), item]) : Object.entries(value);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
};

/**
 * Go's truth, as `if`, `with`, `and`, `or` and `not` read it: false, 0, nil and empty strings, slices and maps are
 * false; every struct is true.
 */
export const isTrue = (value: unknown): boolean => {
  if (value === undefined || value === null || value instanceof GoNil) return false;
  if (value instanceof SafeHtml) return value.html !== '';
  if (value instanceof GoFloat) return value.value !== 0;
  if (value instanceof GoNamedInt) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (value instanceof GoObject || value instanceof Date) return true;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
};

/** The text of a string-like value (strings, safe HTML, numbers), as Hugo's cast.ToString reads it. */
export const text = (value: unknown): string => {
  if (value === undefined || value === null || value instanceof GoNil) return '';
  if (value instanceof SafeHtml) return value.html;
  if (typeof value === 'string') return value;
  if (value instanceof GoFloat) return String(value.value);
  if (value instanceof GoNamedInt) return value.name;
  return String(value);
};

/** A template's view of a Date (front matter dates come as Dates): a time.Time in UTC. */
