import type { Author } from '../types.ts';
import { renderXmlDocument, textElement, type XmlElement } from '../xml.ts';
import { formatRfc3339 } from './dates.ts';
import { type FeedEntry, type FeedModel, GENERATOR } from './model.ts';
import { textAsHtml } from './text.ts';

/**
 * Atom 1.0 (RFC 4287).
 *
 * Written here rather than with feed 6.0.0, which (measured) marks entry titles and summaries `type="html"` so a
 * plain-text title such as `a <b> c` would be read as markup, runs entry ids through `new URL` (throws on ids that are
 * not URLs and may rewrite ones that are, and an id must never change), writes `<` unescaped into category attributes
 * (not well-formed XML) and passes C0 controls through.
 */
export const renderAtom = (feed: FeedModel): string =>
  renderXmlDocument({
    name: 'feed',
    attributes: [
      ['xmlns', 'http://www.w3.org/2005/Atom'],
      ['xml:lang', feed.language],
    ],
    children: [
      ...textElement('id', feed.homeUrl),
      ...textElement('title', feed.title, [['type', 'text']]),
      ...(feed.description === '' ? [] : textElement('subtitle', feed.description, [['type', 'text']])),
      ...textElement('updated', formatRfc3339(feed.updated)),
      link('self', 'application/atom+xml', feed.atomUrl),
      link('alternate', 'text/html', feed.homeUrl),
      // Atom needs an author on the feed or on every entry; the site's title stands in when nobody is named.
      renderAuthor(feed.author ?? { name: feed.title }),
      ...textElement('generator', GENERATOR),
      ...feed.entries.map(renderEntry),
    ],
  });

const renderEntry = (entry: FeedEntry): XmlElement => ({
  name: 'entry',
  children: [
    ...textElement('id', entry.id),
    ...textElement('title', entry.title, [['type', 'text']]),
    link('alternate', 'text/html', entry.url),
    ...textElement('published', formatRfc3339(entry.published)),
    ...textElement('updated', formatRfc3339(entry.updated)),
    ...entry.authors.map(renderAuthor),
    ...entry.terms.map((term): XmlElement => ({ name: 'category', attributes: [['term', term]] })),
    // As html, escaped: a text summary that mentions a tag would read to validators as undeclared HTML.
    ...(entry.summary === '' ? [] : textElement('summary', textAsHtml(entry.summary), [['type', 'html']])),
    ...textElement('content', entry.html, [['type', 'html']]),
  ],
});

const link = (rel: string, type: string, href: string): XmlElement => ({
  name: 'link',
  attributes: [
    ['rel', rel],
    ['type', type],
    ['href', href],
  ],
});

const renderAuthor = (author: Author): XmlElement => ({
  name: 'author',
  children: [
    ...textElement('name', author.name),
    ...textElement('email', author.email),
    ...textElement('uri', author.url),
  ],
});
