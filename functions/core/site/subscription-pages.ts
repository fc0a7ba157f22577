/**
 * The subscription pages: the static subscribe page, the form it shares with every page's footer, and the pages
 * the subscription API answers with. Pure: values in, complete documents out, in the site's own frame, so a visitor
 * never leaves the site's look. Every value a visitor typed (address, name, token) goes through the `html` template.
 */
import { html, type SafeHtml } from '../html.ts';
import { SITE_FILES, siteUrl } from '../paths.ts';
import { apiUrl } from '../subscribers/links.ts';
import type { SiteConfig } from '../types.ts';
import { renderDocument, siteFeeds } from './page-layout.ts';
import { renderSubscribeForm, type SubscribeFormOptions, sentence } from './subscribe-form.ts';

/** The static page at `subscribe/`: the form when the site sends mail, else the feeds (every page's footer has them). */
export const renderSubscribePage = (site: SiteConfig): string =>
  renderDocument(site, {
    title: 'Subscribe',
    description: `Get new posts from ${site.title} ${site.mail ? 'by email' : 'in your feed reader'}.`,
    canonical: siteUrl(site, SITE_FILES.subscribe),
    section: 'subscribe',
    main: subscribeMain(site, {}),
    footerForm: false,
  });

/**
 * The subscribe page again, with what the visitor typed and why it was refused next to the field at fault.
 * @example renderFormErrorPage(site, { email: 'ada@', error: 'an address needs a domain after the @' })
 */
export const renderFormErrorPage = (
  site: SiteConfig,
  input: { email: string; name?: string; error: string; errorField?: 'email' | 'name' },
): string =>
  renderFlowPage(site, {
    // "Error:" first, so a screen reader announces the problem as soon as the page loads.
    title: 'Error: Subscribe',
    description: sentence(input.error),
    main: subscribeMain(site, input),
  });

/**
 * After a subscribe request, whatever the address's state (new, pending, confirmed, unsubscribed, suppressed): the
 * same words, so the page never tells a stranger whether an address is on the list. It names no address: it is the
 * page the POST redirects to, and an address in its URL would end up in history, logs and analytics.
 */
export const renderCheckInboxPage = (site: SiteConfig): string =>
  renderFlowPage(site, {
    title: 'Check your inbox',
    description: 'Confirm your subscription with the link in the email we sent.',
    main: html`<div class="intro">
<h1>Check your inbox</h1>
<p class="lede">An email is on its way to the address you entered. Follow the link in it to confirm your subscription to ${site.title}.</p>
</div>
<p>Nothing after a few minutes? Look in your spam folder.</p>
<p>Wrong address? <a href="${siteUrl(site, SITE_FILES.subscribe)}">Try again</a>.</p>`,
  });

/**
 * What the confirmation link opens. Confirming takes a button press (a POST), because mail scanners open every
 * link in a message: a GET that confirmed would subscribe whoever a stranger typed in.
 */
export const renderConfirmPage = (site: SiteConfig, token: string): string =>
  renderFlowPage(site, {
    title: 'Confirm your subscription',
    description: `Confirm that you want new posts from ${site.title} by email.`,
    main: html`<div class="intro">
<h1>Confirm your subscription</h1>
<p class="lede">One more step: confirm that you want new posts from ${site.title} by email.</p>
</div>
<form class="action-form" method="post" action="${apiUrl(site, 'confirm')}">
<input type="hidden" name="token" value="${token}">
<button type="submit">Confirm my subscription</button>
</form>
<p>Didn’t ask for this? Close this page and you won’t be subscribed.</p>`,
  });

export const renderConfirmedPage = (site: SiteConfig): string =>
  renderFlowPage(site, {
    title: 'You’re subscribed',
    description: `New posts from ${site.title} will arrive by email.`,
    main: html`<div class="intro">
<h1>You’re subscribed</h1>
<p class="lede">Thanks for confirming. New posts from ${site.title} will arrive by email, each with a link to unsubscribe.</p>
</div>
${homeLink(site)}`,
  });

export const renderAlreadyConfirmedPage = (site: SiteConfig): string =>
  renderFlowPage(site, {
    title: 'You’re already subscribed',
    description: `This subscription to ${site.title} is already confirmed.`,
    main: html`<div class="intro">
<h1>You’re already subscribed</h1>
<p class="lede">This subscription was confirmed before, so there is nothing more to do.</p>
</div>
${homeLink(site)}`,
  });

/**
 * What the unsubscribe link in a mail opens: a button that POSTs to the same endpoint a mail client's one-click
 * POST (RFC 8058) reaches, token in the URL, so a link scanner unsubscribes nobody. Its body carries no
 * `List-Unsubscribe=One-Click`, so the record says the reader left through the page.
 */
export const renderUnsubscribePage = (site: SiteConfig, token: string): string =>
  renderFlowPage(site, {
    title: `Unsubscribe from ${site.title}`,
    description: `Stop getting ${site.title} by email.`,
    main: html`<div class="intro">
<h1>Unsubscribe from ${site.title}?</h1>
<p class="lede">The address this link was sent to will leave the ${site.title} mailing list and get no more email from it.</p>
</div>
<form class="action-form" method="post" action="${apiUrl(site, 'unsubscribe', token)}">
<button type="submit">Unsubscribe</button>
</form>
<p>Changed your mind? Close this page and nothing changes.</p>`,
  });

export const renderUnsubscribedPage = (site: SiteConfig): string =>
  renderFlowPage(site, {
    title: 'You’re unsubscribed',
    description: `You have left the ${site.title} mailing list.`,
    main: html`<div class="intro">
<h1>You’re unsubscribed</h1>
<p class="lede">Your address has left the ${site.title} mailing list. You will get no more email from ${site.title}.</p>
</div>
<p>Unsubscribed by mistake? <a href="${siteUrl(site, SITE_FILES.subscribe)}">Subscribe again</a>.</p>`,
  });

/** A second press of the button, or a link from an older mail: nothing changed, and the page says so. */
export const renderAlreadyUnsubscribedPage = (site: SiteConfig): string =>
  renderFlowPage(site, {
    title: 'You were already unsubscribed',
    description: `This address had already left the ${site.title} mailing list.`,
    main: html`<div class="intro">
<h1>You were already unsubscribed</h1>
<p class="lede">This address was already unsubscribed from the ${site.title} mailing list, so nothing changed. You get no email from ${site.title}.</p>
</div>
<p>Want the posts after all? <a href="${siteUrl(site, SITE_FILES.subscribe)}">Subscribe again</a>.</p>`,
  });

/** Why a link from a mail cannot be used. */
export type LinkProblem = 'expired' | 'invalid' | 'used';

const LINK_PROBLEMS: Record<LinkProblem, { title: string; why: string; next: string }> = {
  expired: {
    title: 'This link has expired',
    why: 'Links in our emails work for a limited time, and this one has run out.',
    next: 'to get a new link.',
  },
  invalid: {
    title: 'This link doesn’t work',
    why: 'It may have been cut short or changed when it was copied. Open it straight from the email, or use the link in a newer one.',
    next: 'to get a new link if that doesn’t help.',
  },
  used: {
    title: 'This link has already been used',
    why: 'Each link works once. If you followed it before, that step is done and there is nothing more to do.',
    next: 'to get a new link if you’re not sure it worked.',
  },
};

/**
 * A confirmation link that cannot be used, with a way forward: subscribing again sends a new link. An unsubscribe
 * link that cannot be used says what to do instead and never offers to subscribe: whoever opened it wants to leave.
 */
export const renderLinkProblemPage = (
  site: SiteConfig,
  kind: LinkProblem,
  purpose: 'confirm' | 'unsubscribe' = 'confirm',
): string => {
  if (purpose === 'unsubscribe') {
    const title = 'This unsubscribe link is not valid';
    return renderFlowPage(site, {
      title,
      description: `Nobody was unsubscribed from ${site.title}.`,
      main: html`<div class="intro">
<h1>${title}</h1>
<p class="lede">${kind === 'expired' ? 'The link has expired' : 'The link may have been cut short or changed when it was copied'}, so nobody was unsubscribed from the ${site.title} mailing list.</p>
</div>
<p>To leave the list, open the unsubscribe link at the bottom of the latest email from ${site.title} straight from that email, or reply to the email and ask to be removed.</p>`,
    });
  }
  const problem = LINK_PROBLEMS[kind];
  return renderFlowPage(site, {
    title: problem.title,
    description: problem.why,
    main: html`<div class="intro">
<h1>${problem.title}</h1>
<p class="lede">${problem.why}</p>
</div>
<p><a href="${siteUrl(site, SITE_FILES.subscribe)}">Subscribe again</a> ${problem.next}</p>`,
  });
};

const STATUS_TITLES: Record<number, string> = {
  400: 'Something is wrong with that request',
  404: 'Page not found',
  405: 'This address doesn’t take that kind of request',
  413: 'That was too much to send',
  415: 'Something is wrong with that request',
  429: 'Too many tries',
};

/**
 * Any other failure the API answers with, in words a visitor can act on (the caller says what to do, e.g. "try
 * again in a minute").
 * @example renderErrorPage(site, 503, 'We could not save your request. Try again in a minute.')
 */
export const renderErrorPage = (site: SiteConfig, status: number, message: string): string => {
  const title =
    STATUS_TITLES[status] ?? (status >= 500 ? 'Something went wrong on our side' : 'We couldn’t handle that request');
  return renderFlowPage(site, {
    title,
    description: sentence(message),
    main: html`<div class="intro">
<p class="kicker">Error ${status}</p>
<h1>${title}</h1>
<p class="lede">${sentence(message)}</p>
</div>
${homeLink(site)}`,
  });
};

/** What a visitor (or an attacker) can put into a page: the same hostile values can be fed to every renderer. */
export interface PageInputs {
  email: string;
  name: string;
  error: string;
  token: string;
  message: string;
}

/** Every page of the subscription flow by name, fed from one set of inputs, so tests can walk them all. */
export const SUBSCRIPTION_PAGES = {
  subscribe: (site) => renderSubscribePage(site),
  'form-error': (site, input) => renderFormErrorPage(site, input),
  'form-error-name': (site, input) => renderFormErrorPage(site, { ...input, errorField: 'name' }),
  'check-inbox': (site) => renderCheckInboxPage(site),
  confirm: (site, input) => renderConfirmPage(site, input.token),
  confirmed: (site) => renderConfirmedPage(site),
  'already-confirmed': (site) => renderAlreadyConfirmedPage(site),
  unsubscribe: (site, input) => renderUnsubscribePage(site, input.token),
  unsubscribed: (site) => renderUnsubscribedPage(site),
  'already-unsubscribed': (site) => renderAlreadyUnsubscribedPage(site),
  'unsubscribe-link-invalid': (site) => renderLinkProblemPage(site, 'invalid', 'unsubscribe'),
  'unsubscribe-link-expired': (site) => renderLinkProblemPage(site, 'expired', 'unsubscribe'),
  'link-expired': (site) => renderLinkProblemPage(site, 'expired'),
  'link-invalid': (site) => renderLinkProblemPage(site, 'invalid'),
  'link-used': (site) => renderLinkProblemPage(site, 'used'),
  'error-413': (site, input) => renderErrorPage(site, 413, input.message),
  'error-503': (site, input) => renderErrorPage(site, 503, input.message),
} satisfies Record<string, (site: SiteConfig, input: PageInputs) => string>;

/**
 * Pages the API answers with. They stay out of search engines, and send no Referer: the page's own address may
 * carry a token (`api/confirm?token=…`), which must not travel to whatever the page loads or links to.
 */
const renderFlowPage = (site: SiteConfig, page: { title: string; description: string; main: SafeHtml }): string =>
  renderDocument(site, {
    ...page,
    section: 'other',
    head: html`<meta name="referrer" content="no-referrer">\n<meta name="robots" content="noindex">\n`,
    footerForm: false,
  });

const subscribeMain = (site: SiteConfig, form: SubscribeFormOptions): SafeHtml => {
  if (site.mail) {
    return html`<div class="intro">
<h1>Subscribe to ${site.title}</h1>
<p class="lede">Get new posts by email.</p>
</div>
${renderSubscribeForm(site, form)}`;
  }
  return html`<div class="intro">
<h1>Follow ${site.title}</h1>
<p class="lede">This site sends no email. Follow it in your feed reader with one of these feeds:</p>
</div>
<ul class="feed-links">
${siteFeeds(site).map((feed) => html`<li><a href="${feed.href}" type="${feed.type}">${feed.label}</a></li>\n`)}</ul>`;
};

const homeLink = (site: SiteConfig): SafeHtml =>
  html`<p><a href="${siteUrl(site, SITE_FILES.index)}">Go to the latest posts</a></p>`;
