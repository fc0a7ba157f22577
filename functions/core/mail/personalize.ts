/**
 * Per-recipient personalisation of a compiled mail: plain substitution, no MJML. Kept apart from the compiler so
 * that the digest sender, which only personalises, does not load MJML (smaller bundle, faster cold start).
 */
import { FeedmailError } from '../errors.ts';
import { escapeHtml, safeHref } from '../html.ts';

/** A template that cannot be compiled or personalised; the message names the file (and line) to fix. */
export class MailTemplateError extends FeedmailError {
  override name = 'MailTemplateError';
}

/** A template compiled for one site: HTML and text with only the per-recipient placeholders left. */
export interface CompiledMail {
  /** The entry template's file name, for error messages. */
  entry: string;
  html: string;
  /** The plain-text alternative, derived from `html` once. */
  text: string;
  /** Names of the per-recipient placeholders the mail uses, sorted. */
  placeholders: readonly string[];
}

/** `{{name}}` or `{{name|fallback}}`; the fallback (plain text) stands in when the value is missing or empty. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\|([^{}|]*))?\}\}/g;

/**
 * One line of plain text: a value cannot break the layout of the text part or smuggle in line breaks.
 * @example oneLine(' Ada\r\nBcc: x ') // 'Ada Bcc: x'
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
export const oneLine = (value: string): string => value.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();

const fill = (
  template: string,
  compiled: CompiledMail,
  vars: Readonly<Record<string, string | undefined>>,
  encode: (text: string) => string,
): string =>
  template.replace(PLACEHOLDER, (match, name: string, fallback: string | undefined) => {
    if (!Object.hasOwn(vars, name)) {
      throw new MailTemplateError(`Mail template ${compiled.entry} uses ${match}, but no value was given for ${name}.`);
    }
    const value = oneLine(vars[name] ?? '');
    // Links must be http(s) or mailto even though the values come from our own code: a `javascript:` URL in a mail
    // would be a bug worth failing on.
    if (name.endsWith('Url') && value !== '' && safeHref(value) === undefined) {
      throw new MailTemplateError(`The value of ${name} is not an http(s) or mailto URL.`);
    }
    return encode(value === '' ? oneLine(fallback ?? '') : value);
  });

/**
 * Fills the per-recipient placeholders: HTML-escaped (safe in text and in quoted attributes) in the HTML, as-is in
 * the text. Every placeholder must have an entry in `vars`; an empty or undefined value takes the fallback.
 * @example personalizeMail(compiled, { confirmUrl: 'https://notes.example/confirm?t=…', recipientName: undefined })
 */
export const personalizeMail = (
  compiled: CompiledMail,
  vars: Readonly<Record<string, string | undefined>>,
): { html: string; text: string } => ({
  html: fill(compiled.html, compiled, vars, escapeHtml),
  text: fill(compiled.text, compiled, vars, (text) => text),
});
