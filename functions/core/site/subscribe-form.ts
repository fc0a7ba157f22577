/**
 * The subscribe form, on its own page and in every page's footer: the one piece of the subscription flow that the
 * site's frame (page-layout.ts) and the flow's own pages (subscription-pages.ts) both need.
 */
import { html, type SafeHtml } from '../html.ts';
import { MAX_ADDRESS_LENGTH } from '../subscribers/email-address.ts';
import { apiUrl } from '../subscribers/links.ts';
import { MAX_NAME_LENGTH } from '../subscribers/subscriber-name.ts';
import { HONEYPOT_FIELD } from '../subscribers/subscription-request.ts';
import type { SiteConfig } from '../types.ts';

export interface SubscribeFormOptions {
  /** What the visitor typed, shown again after an error. */
  email?: string;
  name?: string;
  /** Why the form was refused, shown under (and tied to) the field named by `errorField`. */
  error?: string;
  /** The field `error` is about (default `email`). */
  errorField?: 'email' | 'name';
  /** Prefix of every id in the form, so two forms on one page never share one (default `subscribe-`). */
  idPrefix?: string;
}

/**
 * The subscribe form: address, optional name, a honeypot, and one sentence on what happens next. It posts to the
 * API on the site's own origin.
 *
 * The honeypot (`HONEYPOT_FIELD`, named `website`) is a plain text field that bots fill and people never see: it
 * sits off-screen in a 1px box rather than behind `display: none` or `type="hidden"`, which form-filling bots
 * recognise and skip. It is hidden from assistive technology (`aria-hidden`), out of the tab order and never
 * autofilled.
 * @example renderSubscribeForm(site, { email: 'ada@example', error: 'the address needs a domain' })
 */
export const renderSubscribeForm = (site: SiteConfig, options: SubscribeFormOptions = {}): SafeHtml => {
  const id = (name: string): string => `${options.idPrefix ?? 'subscribe-'}${name}`;
  const { email, name, error } = options;
  const errorOn = error ? (options.errorField ?? 'email') : undefined;
  const fieldError = (field: 'email' | 'name'): SafeHtml | string =>
    errorOn === field
      ? html`<p class="field-error" id="${id(`${field}-error`)}"><span class="visually-hidden">Error: </span>${sentence(error ?? '')}</p>\n`
      : '';
  const invalid = (field: 'email' | 'name'): SafeHtml | string => (errorOn === field ? html` aria-invalid="true"` : '');
  const emailDescribedBy = errorOn === 'email' ? `${id('email-error')} ${id('help')}` : id('help');
  return html`<form class="subscribe-form" method="post" action="${apiUrl(site, 'subscribe')}">
<div class="field">
<label for="${id('email')}">Email address</label>
${fieldError('email')}<input id="${id('email')}" name="email" type="email" autocomplete="email" inputmode="email" maxlength="${MAX_ADDRESS_LENGTH}" required aria-describedby="${emailDescribedBy}"${invalid('email')}${email ? html` value="${email}"` : ''}>
</div>
<div class="field">
<label for="${id('name')}">Name <span class="optional">(optional)</span></label>
${fieldError('name')}<input id="${id('name')}" name="name" type="text" autocomplete="name" maxlength="${MAX_NAME_LENGTH}"${errorOn === 'name' ? html` aria-describedby="${id('name-error')}"` : ''}${invalid('name')}${name ? html` value="${name}"` : ''}>
</div>
<div class="form-extra" aria-hidden="true">
<label for="${id('website')}">Leave this field empty</label>
<input id="${id('website')}" name="${HONEYPOT_FIELD}" type="text" tabindex="-1" autocomplete="off">
</div>
<button type="submit">Subscribe</button>
<p class="form-help" id="${id('help')}">We’ll email you a link to confirm your subscription, and you can unsubscribe at any time.</p>
</form>`;
};

/**
 * Messages from the API are clause-like (`the address is empty`, see email-address.ts); on a page they read as a
 * sentence.
 * @example sentence('the address is empty') // 'The address is empty.'
 */
export const sentence = (text: string): string => {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};
