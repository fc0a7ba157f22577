import type { Author } from '../types.ts';
import { formatRfc3339 } from './dates.ts';
import type { FeedEntry, FeedModel } from './model.ts';

/**
 * JSON Feed 1.1 as a plain object; feed 6.0.0 writes 1.0 (a single `author`, no `language`, no `authors`).
 * Key order is fixed by construction and absent values are left out, so the output is deterministic.
 */
export const renderJsonFeed = (feed: FeedModel): string =>
  `${JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: feed.title,
      home_page_url: feed.homeUrl,
      feed_url: feed.jsonUrl,
      ...(feed.description === '' ? {} : { description: feed.description }),
      language: feed.language,
      ...(feed.author ? { authors: [jsonAuthor(feed.author)] } : {}),
      items: feed.entries.map(jsonItem),
    },
    null,
    2,
  )}\n`;

const jsonItem = (entry: FeedEntry): Record<string, unknown> => ({
  id: entry.id,
  url: entry.url,
  title: entry.title,
  content_html: entry.html,
  ...(entry.summary === '' ? {} : { summary: entry.summary }),
  ...(entry.image === undefined ? {} : { image: entry.image }),
  date_published: formatRfc3339(entry.published),
  date_modified: formatRfc3339(entry.updated),
  ...(entry.terms.length === 0 ? {} : { tags: entry.terms }),
  ...(entry.authors.length === 0 ? {} : { authors: entry.authors.map(jsonAuthor) }),
});

// JSON Feed authors have a name, url and avatar; there is no field for an email address.
const jsonAuthor = (author: Author): { name: string; url?: string } => ({
  name: author.name,
  ...(author.url === undefined ? {} : { url: author.url }),
});
