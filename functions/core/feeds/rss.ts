import { renderXmlDocument, textElement, type XmlElement } from '../xml.ts';
import { formatRfc822 } from './dates.ts';
import { type FeedEntry, type FeedModel, GENERATOR } from './model.ts';
import { textAsHtml } from './text.ts';

const NAMESPACES = [
  ['xmlns:atom', 'http://www.w3.org/2005/Atom'],
  ['xmlns:content', 'http://purl.org/rss/1.0/modules/content/'],
  ['xmlns:dc', 'http://purl.org/dc/elements/1.1/'],
] as const;

/**
 * RSS 2.0 with `content:encoded` and `atom:link rel="self"`.
 *
 * Written here rather than with feed 6.0.0, whose RSS output (measured, see tests/core/feeds/feed-library-limits.test.ts)
 * turns a literal `&amp;` in the channel title into `&` (xml-js un-escapes before it escapes), passes C0 controls
 * through into XML no parser accepts, and writes names into `<author>`, which must be an email address. Its guids
 * do carry isPermaLink="false" and `hub` no longer replaces the self link in 6.0.0, but post-processing its string
 * output for the rest would be more code, and more fragile, than this writer.
 */
export const renderRss = (feed: FeedModel): string =>
  renderXmlDocument({
    name: 'rss',
    attributes: [['version', '2.0'], ...NAMESPACES],
    children: [
      {
        name: 'channel',
        children: [
          ...textElement('title', feed.title),
          ...textElement('link', feed.homeUrl),
          ...textElement('description', feed.description),
          ...textElement('language', feed.language),
          ...textElement('lastBuildDate', formatRfc822(feed.updated)),
          ...textElement('docs', 'https://www.rssboard.org/rss-specification'),
          ...textElement('generator', GENERATOR),
          // managingEditor must be an email; a name alone goes to dc:creator (not both: DuplicateSemantics).
          ...(feed.author?.email
            ? textElement('managingEditor', `${feed.author.email} (${feed.author.name})`)
            : textElement('dc:creator', feed.author?.name)),
          {
            name: 'atom:link',
            attributes: [
              ['href', feed.rssUrl],
              ['rel', 'self'],
              ['type', 'application/rss+xml'],
            ],
          },
          ...feed.entries.map(renderItem),
        ],
      },
    ],
  });

const renderItem = (entry: FeedEntry): XmlElement => ({
  name: 'item',
  children: [
    ...textElement('title', entry.title),
    ...textElement('link', entry.url),
    // A guid is a permalink unless it says otherwise; our ids are often tag: URIs or slugs, which are not.
    ...textElement('guid', entry.id, [['isPermaLink', entry.id === entry.url ? 'true' : 'false']]),
    ...textElement('pubDate', formatRfc822(entry.published)),
    // RSS descriptions are HTML to every reader: the summary is text, so it is escaped as HTML (`<script>` in a
    // summary would otherwise be run or cut away, and the rest of the summary with it).
    ...textElement('description', textAsHtml(entry.summary)),
    ...textElement('content:encoded', entry.html),
    // RSS <author> must be an email address; names go to dc:creator, one per author.
    ...entry.authors.flatMap((author) => textElement('dc:creator', author.name)),
    ...entry.terms.flatMap((term) => textElement('category', term)),
  ],
});
