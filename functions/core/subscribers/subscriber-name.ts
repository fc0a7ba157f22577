/**
 * Turns the name a visitor typed (or an export held) into the one we store, or says why it cannot be used. The name
 * ends up in the `To:` display name of every digest and in the greeting, so the rules guard the mail headers and the
 * reader's trust in who a message is from, not the spelling of names: any script, any punctuation that is not
 * listed below is welcome.
 */

/** Long enough for any real full name; short enough that a name cannot carry a paragraph of spam. */
export const MAX_NAME_LENGTH = 100;

export type NameResult = { ok: true; value: string | undefined } | { ok: false; reason: string };

const fail = (reason: string): NameResult => ({ ok: false, reason });

// Checked before whitespace is collapsed, so that `Ada\r\nBcc: x` is refused rather than quietly joined into one line.
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/u;
const CONTROL = /\p{Cc}/u;
// Decision: a name that holds an address (`support@bank.example`) is refused. Mail clients show the display name
// in place of the address, so such a name lets whoever subscribes make our digest look as if it came from someone
// else. A lone `@` (`@ada`, `Ada @ home`) is not an address and stays allowed.
const ADDRESS_LIKE = /[^\s@]+@[^\s@]+\.[^\s@]+/u;

/**
 * Trims, collapses runs of whitespace into one space and normalises to NFC; an empty name is no name.
 * @example normalizeName('  Ada   Lovelace ') // { ok: true, value: 'Ada Lovelace' }
 */
export const normalizeName = (input: string): NameResult => {
  if (LINE_BREAK.test(input)) return fail('the name contains a line break');
  if (CONTROL.test(input)) return fail('the name contains a control character');
  const value = input.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (value === '') return { ok: true, value: undefined };
  // Counted in code points, the way a person counts characters (an emoji is one, not two).
  if ([...value].length > MAX_NAME_LENGTH) return fail(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  // Angle brackets are how an address is written beside a name (`Ada <ada@example.org>`): a pasted header, not a name.
  if (/[<>]/u.test(value)) return fail('the name must not contain < or >');
  if (ADDRESS_LIKE.test(value)) return fail('the name must not contain an email address');
  return { ok: true, value };
};
