/**
 * What a visitor's POST to the subscription API says, checked field by field. Pure: the handler passes the body
 * and its content type; the answer is the fields or a problem with an HTTP status and a message that names it.
 */
import { normalizeAddress } from './email-address.ts';
import { normalizeName } from './subscriber-name.ts';

/** A form with an address, a name and a token is a few hundred bytes; anything far larger is not a visitor. */
export const MAX_BODY_BYTES = 8 * 1024;

/** The field humans never see or fill in (see the form in subscription-pages.ts); bots tend to fill every field. */
export const HONEYPOT_FIELD = 'website';

export type RequestProblem = { ok: false; status: 400 | 413 | 415; message: string; field?: string };

export type BodyFormat = 'form' | 'json';

/** Reads a form-encoded or JSON body into single-valued fields. */
export const parseBody = (
  body: string,
  contentType: string | undefined,
): { ok: true; format: BodyFormat; fields: Map<string, string> } | RequestProblem => {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    return { ok: false, status: 413, message: `the request body is larger than ${MAX_BODY_BYTES} bytes` };
  }
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(body);
    const fields = new Map<string, string>();
    for (const [name, value] of params) {
      if (fields.has(name)) return { ok: false, status: 400, field: name, message: `the field "${name}" is repeated` };
      fields.set(name, value);
    }
    return { ok: true, format: 'form', fields };
  }
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { ok: false, status: 400, message: 'the body is not valid JSON' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, status: 400, message: 'the body must be a JSON object such as {"email": "ada@example.org"}' };
    }
    const fields = new Map<string, string>();
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') {
        return { ok: false, status: 400, field: name, message: `the field "${name}" must be a string` };
      }
      fields.set(name, value);
    }
    return { ok: true, format: 'json', fields };
  }
  return {
    ok: false,
    status: 415,
    message: 'send the form as application/x-www-form-urlencoded or application/json',
  };
};

export interface SubscribeFields {
  /** What the visitor typed, for showing back (escaped) on the next page. */
  typed: { email: string; name: string };
  address: string;
  key: string;
  name?: string;
  /** True when the honeypot was filled: answer as usual, store and send nothing. */
  bot: boolean;
}

const SUBSCRIBE_FIELDS = new Set(['email', 'name', HONEYPOT_FIELD]);

/** Validates the subscribe form: a single usable address, an optional plain name, no other fields. */
export const readSubscribeFields = (
  fields: Map<string, string>,
): { ok: true; value: SubscribeFields } | RequestProblem => {
  const typed = { email: fields.get('email') ?? '', name: fields.get('name') ?? '' };
  const unknown = [...fields.keys()].filter((name) => !SUBSCRIBE_FIELDS.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `"${name.slice(0, 40)}"`).join(', ');
    return { ok: false, status: 400, message: `unknown field(s) ${list}: send only email and name` };
  }
  if (!fields.has('email')) return { ok: false, status: 400, field: 'email', message: 'enter your email address' };
  const address = normalizeAddress(typed.email);
  if (!address.ok) return { ok: false, status: 400, field: 'email', message: capitalize(address.reason) };
  const name = normalizeName(typed.name);
  if (!name.ok) return { ok: false, status: 400, field: 'name', message: capitalize(name.reason) };
  return {
    ok: true,
    value: {
      typed,
      ...address.value,
      ...(name.value ? { name: name.value } : {}),
      bot: (fields.get(HONEYPOT_FIELD) ?? '') !== '',
    },
  };
};

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
