/**
 * An HTML tagged template that escapes every interpolated value unless it is explicitly marked as trusted with
 * `raw()`. Pages are built only from this, so a hostile title or tag cannot open a tag or leave an attribute.
 */

/** A fragment of HTML that is already safe to insert: produced by `html` or marked by `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), trusted HTML, lists of either, or nothing (renders as empty). */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for use in element content and in quoted attribute values.
 * @example escapeHtml('"><b>') // '&quot;&gt;&lt;b&gt;'
 */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);

/**
 * Marks HTML as trusted, so `html` inserts it as-is. Only for markup that was sanitized before it got here
 * (post bodies); never for anything an author typed into front matter.
 */
export const raw = (trusted: string): SafeHtml => new SafeHtml(trusted);

const render = (value: HtmlValue): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

/**
 * Builds a trusted fragment from a template, escaping every value that is not itself a `SafeHtml`.
 * @example html`<a href="${url}">${title}</a>`
 */
export const html = (strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml => {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
};

/**
 * The URL when it is safe to put in an `href` (http, https or mailto), otherwise undefined: author-supplied links
 * must not smuggle in `javascript:`. Escaping still happens when the URL is interpolated.
 */
export const safeHref = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined;
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(url).protocol) ? url : undefined;
  } catch {
    return undefined;
  }
};
