import fc from 'fast-check';
import { type DefaultTreeAdapterTypes, type ParserError, parse } from 'parse5';
import { describe, expect, it } from 'vitest';
import { SITE_FILES, siteUrl } from '../../../functions/core/paths.ts';
import { renderIndexPage } from '../../../functions/core/site/pages.ts';
import { renderSubscribeForm } from '../../../functions/core/site/subscribe-form.ts';
import {
  type PageInputs,
  renderAlreadyUnsubscribedPage,
  renderCheckInboxPage,
  renderConfirmPage,
  renderErrorPage,
  renderFormErrorPage,
  renderLinkProblemPage,
  renderSubscribePage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
  SUBSCRIPTION_PAGES,
} from '../../../functions/core/site/subscription-pages.ts';
import type { SiteConfig } from '../../../functions/core/types.ts';
import { fieldNotesMail, fieldNotesSite } from '../../support/site-fixtures.ts';

type Element = DefaultTreeAdapterTypes.Element;
type Node = DefaultTreeAdapterTypes.Node;

const makeSite = (overrides: Partial<SiteConfig> = {}): SiteConfig =>
  fieldNotesSite({ mail: fieldNotesMail(), ...overrides });

const HOSTILE = `"><script>alert(1)</script>' onfocus=x`;

/** Every visitor-supplied value hostile, and each marked so a test can find where it landed. */
const makeHostileInputs = (): PageInputs => ({
  email: `email${HOSTILE}`,
  name: `name${HOSTILE}`,
  error: `error${HOSTILE}`,
  token: `SECRET-TOKEN${HOSTILE}`,
  message: `message${HOSTILE}`,
});

const PAGES = Object.entries(SUBSCRIPTION_PAGES);
/** The pages the API answers with; only the static subscribe page is meant for search engines. */
const API_PAGES = PAGES.filter(([name]) => name !== 'subscribe');

/** The document as a browser builds it, with every parse error the HTML tokenizer and tree builder reported. */
const parsePage = (page: string): { elements: Element[]; errors: ParserError[] } => {
  const errors: ParserError[] = [];
  const document = parse(page, { onParseError: (error) => errors.push(error) });
  const elements: Element[] = [];
  const walk = (node: Node): void => {
    if ('tagName' in node) elements.push(node);
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
  };
  walk(document);
  return { elements, errors };
};

const attr = (element: Element, name: string): string | undefined =>
  element.attrs.find((attribute) => attribute.name === name)?.value;

const byTag = (elements: Element[], tag: string): Element[] => elements.filter((e) => e.tagName === tag);

const textOf = (node: Node): string =>
  'value' in node && node.nodeName === '#text'
    ? node.value
    : 'childNodes' in node
      ? node.childNodes.map(textOf).join('')
      : '';

const descendantsOf = (element: Element): Element[] =>
  element.childNodes.flatMap((child) => ('tagName' in child ? [child, ...descendantsOf(child)] : []));

/** Where a value shows up in a parsed page: `tag@attribute` for attribute values, `tag#text` for text. */
const placesOf = (elements: Element[], needle: string): string[] => [
  ...elements.flatMap((element) =>
    element.attrs.filter((a) => a.value.includes(needle)).map((a) => `${element.tagName}@${a.name}`),
  ),
  ...elements
    .filter((element) =>
      element.childNodes.some(
        (child) => child.nodeName === '#text' && 'value' in child && child.value.includes(needle),
      ),
    )
    .map((element) => `${element.tagName}#text`),
];

describe('every subscription page', () => {
  it.each(PAGES)('keeps hostile input as text on the %s page', (_name, render) => {
    // Prepare
    const site = makeSite({ title: `Notes${HOSTILE}` });

    // Act
    const page = render(site, makeHostileInputs());
    const { elements, errors } = parsePage(page);

    // Assess: nothing opened a tag or an attribute, and the parser had nothing to repair.
    expect(page).not.toMatch(/<script/i);
    expect(byTag(elements, 'script')).toEqual([]);
    expect(elements.flatMap((e) => e.attrs.filter((a) => /^on/i.test(a.name) || a.name.includes("'")))).toEqual([]);
    expect(errors.map((error) => error.code)).toEqual([]);
    expect(byTag(elements, 'title').map(textOf)).toHaveLength(1);
  });

  it.each(PAGES)('is a complete document in the site frame: the %s page', (_name, render) => {
    // Act
    const { elements } = parsePage(render(makeSite(), makeHostileInputs()));

    // Assess
    expect(attr(byTag(elements, 'html')[0] as Element, 'lang')).toBe('en');
    expect(byTag(elements, 'h1')).toHaveLength(1);
    expect(byTag(elements, 'main')).toHaveLength(1);
    expect(byTag(elements, 'link').find((e) => attr(e, 'rel') === 'stylesheet')?.attrs).toContainEqual({
      name: 'href',
      value: 'https://notes.example/blog/style.css',
    });
    const subscribeLink = byTag(elements, 'a').find((e) => textOf(e) === 'Subscribe');
    expect(attr(subscribeLink as Element, 'href')).toBe('https://notes.example/blog/subscribe/');
  });

  it.each(PAGES)('posts every form of the %s page to an absolute URL on the site’s own origin', (_name, render) => {
    // Prepare
    const site = makeSite();

    // Act
    const forms = byTag(parsePage(render(site, makeHostileInputs())).elements, 'form');

    // Assess
    for (const form of forms) {
      const action = new URL(attr(form, 'action') ?? 'relative:');
      expect(attr(form, 'method')).toBe('post');
      expect(action.origin).toBe('https://notes.example');
      expect(action.pathname).toMatch(/^\/blog\/api\/(subscribe|confirm|unsubscribe)$/);
    }
  });

  it.each(PAGES)('gives every id on the %s page once', (_name, render) => {
    // Act
    const { elements } = parsePage(render(makeSite(), makeHostileInputs()));

    // Assess
    const ids = elements.map((e) => attr(e, 'id')).filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(API_PAGES)('keeps the %s page out of search engines and sends no Referer', (_name, render) => {
    // Act
    const { elements } = parsePage(render(makeSite(), makeHostileInputs()));

    // Assess
    const meta = Object.fromEntries(byTag(elements, 'meta').map((e) => [attr(e, 'name'), attr(e, 'content')]));
    expect(meta.referrer).toBe('no-referrer');
    expect(meta.robots).toBe('noindex');
    expect(byTag(elements, 'link').filter((e) => attr(e, 'rel') === 'canonical')).toEqual([]);
  });

  it.each(
    PAGES.map(([name, render]) => ({
      name,
      render,
      expected: name === 'confirm' ? ['input@value'] : name === 'unsubscribe' ? ['form@action'] : [],
    })),
  )('puts the token only into the form of the $name page', ({ render, expected }) => {
    // Act
    const { elements } = parsePage(render(makeSite(), makeHostileInputs()));

    // Assess
    expect(placesOf(elements, 'SECRET-TOKEN')).toEqual(expected);
  });
});

describe('renderSubscribeForm', () => {
  it('labels the fields, describes the email field and keeps the honeypot away from people', () => {
    // Act
    const { elements } = parsePage(renderSubscribeForm(makeSite()).value);

    // Assess
    const inputs = Object.fromEntries(byTag(elements, 'input').map((e) => [attr(e, 'name'), e]));
    const email = inputs.email as Element;
    expect(Object.fromEntries(email.attrs.map((a) => [a.name, a.value]))).toEqual({
      id: 'subscribe-email',
      name: 'email',
      type: 'email',
      autocomplete: 'email',
      inputmode: 'email',
      maxlength: '254',
      required: '',
      'aria-describedby': 'subscribe-help',
    });
    expect(attr(inputs.name as Element, 'autocomplete')).toBe('name');
    expect(attr(inputs.name as Element, 'maxlength')).toBe('100');
    const labels = byTag(elements, 'label').map((label) => [attr(label, 'for'), textOf(label)]);
    expect(labels).toEqual([
      ['subscribe-email', 'Email address'],
      ['subscribe-name', 'Name (optional)'],
      ['subscribe-website', 'Leave this field empty'],
    ]);
    const help = elements.find((e) => attr(e, 'id') === 'subscribe-help');
    expect(textOf(help as Element)).toMatch(/email you a link to confirm.*unsubscribe at any time/);
    const honeypot = inputs.website as Element;
    expect([attr(honeypot, 'type'), attr(honeypot, 'tabindex'), attr(honeypot, 'autocomplete')]).toEqual([
      'text',
      '-1',
      'off',
    ]);
    expect(honeypot.parentNode && attr(honeypot.parentNode as Element, 'aria-hidden')).toBe('true');
    expect(byTag(elements, 'button').map(textOf)).toEqual(['Subscribe']);
  });

  it('ties an error to the email field and shows what the visitor typed', () => {
    // Act
    const { elements } = parsePage(
      renderSubscribeForm(makeSite(), { email: 'ada@', name: 'Ada', error: 'an address needs a domain' }).value,
    );

    // Assess
    const email = byTag(elements, 'input').find((e) => attr(e, 'name') === 'email') as Element;
    expect(attr(email, 'aria-invalid')).toBe('true');
    expect(attr(email, 'value')).toBe('ada@');
    const describedBy = (attr(email, 'aria-describedby') ?? '').split(' ');
    const error = elements.find((e) => attr(e, 'id') === describedBy[0]);
    expect(textOf(error as Element)).toBe('Error: An address needs a domain.');
    expect(describedBy).toContain('subscribe-help');
    expect(attr(byTag(elements, 'input').find((e) => attr(e, 'name') === 'name') as Element, 'value')).toBe('Ada');
  });

  it('shows a name error under the name field and marks the name input, not the email one', () => {
    // Prepare
    const options = { email: 'ada@example.org', name: 'Ada\u0007', error: 'the name has a control character' };

    // Act
    const { elements } = parsePage(renderSubscribeForm(makeSite(), { ...options, errorField: 'name' }).value);

    // Assess
    const inputs = byTag(elements, 'input');
    const email = inputs.find((e) => attr(e, 'name') === 'email') as Element;
    const name = inputs.find((e) => attr(e, 'name') === 'name') as Element;
    expect(attr(email, 'aria-invalid')).toBeUndefined();
    expect(attr(email, 'aria-describedby')).toBe('subscribe-help');
    expect(attr(name, 'aria-invalid')).toBe('true');
    const error = elements.find((e) => attr(e, 'id') === attr(name, 'aria-describedby')) as Element;
    expect(textOf(error)).toBe('Error: The name has a control character.');
    const nameField = name.parentNode as Element;
    expect(nameField.childNodes).toContain(error);
  });

  it('prefixes every id and reference with the given prefix', () => {
    // Act
    const { elements } = parsePage(renderSubscribeForm(makeSite(), { idPrefix: 'x-', error: 'bad' }).value);

    // Assess
    const ids = elements.map((e) => attr(e, 'id')).filter((id) => id !== undefined);
    const references = elements.flatMap((e) => [attr(e, 'for'), ...(attr(e, 'aria-describedby') ?? '').split(' ')]);
    expect(ids.every((id) => id.startsWith('x-'))).toBe(true);
    for (const reference of references.filter(Boolean)) expect(ids).toContain(reference);
  });

  // Property: whatever a visitor types, the parsed form holds exactly that as the field's value and no new markup
  // (up to what every HTML parser does to any input: line endings become \n, NUL becomes U+FFFD).
  it('gives back any typed address and name unchanged as the field values', () => {
    const parsed = (text: string): string => text.replace(/\r\n?/g, '\n').replaceAll('\0', '\uFFFD');
    const text = fc.string({ unit: 'grapheme' });
    fc.assert(
      fc.property(text, text, fc.string({ unit: 'grapheme', minLength: 1 }), (email, name, error) => {
        const { elements } = parsePage(renderFormErrorPage(makeSite(), { email, name, error }));
        const inputs = byTag(elements, 'input');
        expect(byTag(elements, 'script')).toEqual([]);
        expect(inputs.map((e) => attr(e, 'name'))).toEqual(['email', 'name', 'website']);
        expect(attr(inputs[0] as Element, 'value') ?? '').toBe(parsed(email));
        expect(attr(inputs[1] as Element, 'value') ?? '').toBe(parsed(name));
      }),
    );
  });
});

describe('the form in the site frame', () => {
  it('shows the subscribe form in the footer of the home page when the site sends mail', () => {
    // Act
    const { elements } = parsePage(renderIndexPage([], [], makeSite()));

    // Assess
    const footer = byTag(elements, 'footer')[0] as Element;
    const forms = byTag(elements, 'form');
    expect(forms).toHaveLength(1);
    expect(byTag(descendantsOf(footer), 'form')).toEqual(forms);
    expect(textOf(footer)).toContain('Get new posts by email');
    expect(attr(forms[0] as Element, 'action')).toBe('https://notes.example/blog/api/subscribe');
  });

  it('offers the feeds alone when the site sends no mail', () => {
    // Prepare
    const { mail: _mail, ...site } = makeSite();

    // Act
    const index = parsePage(renderIndexPage([], [], site));
    const subscribe = parsePage(renderSubscribePage(site));

    // Assess
    expect(byTag(index.elements, 'form')).toEqual([]);
    expect(byTag(subscribe.elements, 'form')).toEqual([]);
    expect(byTag(subscribe.elements, 'main').map(textOf).join('')).toContain('Follow it in your feed reader');
    const feedLinks = byTag(subscribe.elements, 'a').map((e) => attr(e, 'href'));
    expect(feedLinks).toContain(siteUrl(site, SITE_FILES.rss));
  });

  it('shows one form on the subscribe page, marks its nav link current and names it canonically', () => {
    // Act
    const { elements } = parsePage(renderSubscribePage(makeSite()));

    // Assess
    expect(byTag(elements, 'form')).toHaveLength(1);
    const current = byTag(elements, 'a').filter((e) => attr(e, 'aria-current') === 'page');
    expect(current.map(textOf)).toEqual(['Subscribe']);
    const canonical = byTag(elements, 'link').find((e) => attr(e, 'rel') === 'canonical');
    expect(attr(canonical as Element, 'href')).toBe('https://notes.example/blog/subscribe/');
  });
});

describe('the pages the API answers with', () => {
  it('names no address on the check-inbox page, and offers a way back', () => {
    // Act
    const page = renderCheckInboxPage(makeSite());

    // Assess
    const { elements } = parsePage(page);
    expect(page).not.toContain('@');
    expect(byTag(elements, 'main').map(textOf).join('')).toContain('An email is on its way to the address you entered');
    const back = byTag(elements, 'a').find((e) => textOf(e) === 'Try again');
    expect(attr(back as Element, 'href')).toBe('https://notes.example/blog/subscribe/');
  });

  it('confirms with a button that posts the token', () => {
    // Act
    const { elements } = parsePage(renderConfirmPage(makeSite(), 'abc.def'));

    // Assess
    const form = byTag(elements, 'form')[0] as Element;
    expect(attr(form, 'action')).toBe('https://notes.example/blog/api/confirm');
    expect(byTag(elements, 'input').map((e) => [attr(e, 'type'), attr(e, 'name'), attr(e, 'value')])).toEqual([
      ['hidden', 'token', 'abc.def'],
    ]);
    expect(byTag(elements, 'button').map(textOf)).toEqual(['Confirm my subscription']);
  });

  it.each(['expired', 'invalid'] as const)(
    'says a %s unsubscribe link is not valid and how to leave, without offering to subscribe',
    (kind) => {
      // Act
      const { elements } = parsePage(renderLinkProblemPage(makeSite(), kind, 'unsubscribe'));

      // Assess
      const main = byTag(elements, 'main').map(textOf).join('');
      expect(textOf(byTag(elements, 'h1')[0] as Element)).toBe('This unsubscribe link is not valid');
      expect(main).toContain('nobody was unsubscribed from the Field Notes mailing list');
      expect(main).toContain('open the unsubscribe link at the bottom of the latest email');
      expect(main).not.toMatch(/subscribe again/i);
      const links = byTag(byTag(elements, 'main').flatMap(descendantsOf), 'a').map((e) => attr(e, 'href'));
      expect(links.filter((href) => href?.endsWith('/subscribe/'))).toEqual([]);
    },
  );

  it('names the list on the unsubscribe, unsubscribed and already-unsubscribed pages', () => {
    // Prepare
    const site = makeSite({ title: 'Field Notes' });

    // Act
    const texts = [
      renderUnsubscribePage(site, 't'),
      renderUnsubscribedPage(site),
      renderAlreadyUnsubscribedPage(site),
    ].map((page) => byTag(parsePage(page).elements, 'main').map(textOf).join(''));

    // Assess
    for (const text of texts) expect(text).toContain('Field Notes mailing list');
    expect(texts[2]).toContain('was already unsubscribed');
  });

  it('unsubscribes with the one-click POST a mail client would send', () => {
    // Prepare
    const token = 'a+b/c=d&e';

    // Act
    const { elements } = parsePage(renderUnsubscribePage(makeSite(), token));

    // Assess
    const action = new URL(attr(byTag(elements, 'form')[0] as Element, 'action') ?? '');
    expect(action.searchParams.get('token')).toBe(token);
    expect(byTag(elements, 'input')).toEqual([]);
    expect(byTag(elements, 'button').map(textOf)).toEqual(['Unsubscribe']);
  });

  it.each(['expired', 'invalid', 'used'] as const)('explains a %s link and leads to a new one', (kind) => {
    // Act
    const { elements } = parsePage(renderLinkProblemPage(makeSite(), kind));

    // Assess
    expect(textOf(byTag(elements, 'h1')[0] as Element)).toMatch(new RegExp(kind === 'invalid' ? 'doesn’t work' : kind));
    const next = byTag(elements, 'a').find((e) => textOf(e) === 'Subscribe again');
    expect(attr(next as Element, 'href')).toBe('https://notes.example/blog/subscribe/');
  });

  it.each([
    { status: 413, title: 'That was too much to send' },
    { status: 405, title: 'This address doesn’t take that kind of request' },
    { status: 503, title: 'Something went wrong on our side' },
    { status: 418, title: 'We couldn’t handle that request' },
  ])('titles a $status error in plain words and passes on what to do', ({ status, title }) => {
    // Act
    const { elements } = parsePage(renderErrorPage(makeSite(), status, 'try again in a minute'));

    // Assess
    expect(byTag(elements, 'h1').map(textOf)).toEqual([title]);
    expect(byTag(elements, 'title').map(textOf)).toEqual([`${title} · Field Notes`]);
    expect(byTag(elements, 'main').map(textOf).join('')).toContain(`Error ${status}`);
    expect(byTag(elements, 'main').map(textOf).join('')).toContain('Try again in a minute.');
  });

  it('re-shows the form with the error in the title, so it is announced first', () => {
    // Act
    const { elements } = parsePage(renderFormErrorPage(makeSite(), { email: 'x', error: 'the address is empty' }));

    // Assess
    expect(byTag(elements, 'title').map(textOf)).toEqual(['Error: Subscribe · Field Notes']);
    expect(byTag(elements, 'form')).toHaveLength(1);
  });
});
