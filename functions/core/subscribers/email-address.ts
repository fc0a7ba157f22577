/**
 * Turns what a visitor typed (or an export held) into the one address we store, or says why it cannot be used.
 * Syntax is checked by `validator` (RFC 5321/5322 dot-atom, domain labels); the rest is policy for a mailing list
 * that sends through SES.
 */
import { domainToASCII } from 'node:url';
import validator from 'validator';

/** RFC 5321: 254 characters in a path that fits SMTP's limits, 64 in the local part. */
export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;

export interface EmailAddress {
  /** Trimmed, domain lower-cased and in ASCII (IDNA), local part as given: what mail is addressed to. */
  address: string;
  /**
   * The identity of a subscriber: the address entirely lower-cased. Mailbox providers treat local parts without
   * regard to case, so `Ada@x.org` and `ada@x.org` are one subscriber, stored once.
   */
  key: string;
}

export type AddressResult = { ok: true; value: EmailAddress } | { ok: false; reason: string };

const fail = (reason: string): AddressResult => ({ ok: false, reason });

/**
 * Normalises one address, rejecting anything that could add a header or a second recipient.
 * @example normalizeAddress('  Ada@Example.ORG ') // { ok: true, value: { address: 'Ada@example.org', key: 'ada@example.org' } }
 */
export const normalizeAddress = (input: string): AddressResult => {
  const text = input.trim();
  if (text === '') return fail('the address is empty');
  if (/[\r\n]/.test(text)) return fail('the address contains a line break');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
  if (/[\u0000-\u001f\u007f]/.test(text)) return fail('the address contains a control character');
  if (text.length > MAX_ADDRESS_LENGTH) return fail(`the address is longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (/[<>]/.test(text)) return fail('give the address alone, without a name or angle brackets');
  if (/[,;\s]/.test(text) || text.split('@').length > 2) return fail('give one address only');
  const at = text.lastIndexOf('@');
  if (at < 1) return fail('an address needs a name before an @ and a domain after it, like ada@example.org');
  const local = text.slice(0, at);
  const domainInput = text.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH)
    return fail(`the part before the @ is longer than ${MAX_LOCAL_LENGTH} characters`);
  if (local.startsWith('"')) return fail('quoted names before the @ are not accepted');
  if (/[^\u0020-\u007e]/.test(local))
    return fail('the part before the @ must be plain ASCII (SES cannot deliver to others)');
  const domain = domainToASCII(domainInput.toLowerCase());
  if (domain === '') return fail(`"${domainInput}" is not a valid domain`);
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS_LENGTH) return fail(`the address is longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (!validator.isEmail(address, { allow_display_name: false, require_tld: true, allow_ip_domain: false })) {
    return fail('this is not a valid email address, e.g. ada@example.org');
  }
  return { ok: true, value: { address, key: address.toLowerCase() } };
};
