import type { DigestContent, DigestPost } from '../digest/digest-content.ts';
import { embedsAsLinks } from '../embeds.ts';
import { ConfigError, FeedmailError } from '../errors.ts';
import { escapeHtml, safeHref } from '../html.ts';
import { listFormat } from '../intl-cache.ts';
import { SITE_FILES, siteUrl } from '../paths.ts';
import { apiUrl } from '../subscribers/links.ts';
import { MAX_NAME_LENGTH } from '../subscribers/subscriber-name.ts';
import { describeDate, textParagraphs, truncateText } from '../text-format.ts';
import type { SiteConfig } from '../types.ts';
import { compileMailTemplate, siteMailVars } from './mail-template.ts';
import { type CompiledMail, oneLine, personalizeMail } from './personalize.ts';

export const DIGEST_TEMPLATE = 'digest.mjml';
/** The partial repeated once per post. */
export const POST_CARD = 'partials/post-card.mjml';
export const DIGEST_VARS = ['unsubscribeUrl', 'recipientName'] as const;

/**
 * Gmail clips HTML over about 102 KB and hides the rest (the footer with the unsubscribe link included); the budget
 * leaves room for the parts of a real recipient's mail the measurement cannot know.
 */
export const HTML_BUDGET_BYTES = 90_000;

export type DigestMode = 'full' | 'excerpts';

/**
 * What a card shows, tried in this order until the mail fits: whole bodies; excerpts (the text before `<!--more-->`,
 * else the summary); summaries alone, for authors who put `<!--more-->` far down. The last two are both `excerpts`
 * to the caller: a teaser and a "Read more" link.
 */
const FITS = ['full', 'excerpts', 'summaries'] as const;
type Fit = (typeof FITS)[number];

export type CompiledDigest = CompiledMail & {
  subject: string;
  /** `full`: whole bodies; `excerpts`: the excerpt or summary with a "Read more" link, when whole would not fit. */
  mode: DigestMode;
  /** Size of the HTML personalised with the longest values a recipient can have. */
  htmlBytes: number;
};

/** RFC 5322's recommended line length: a subject that fits is shown whole by most mail apps. */
const SUBJECT_MAX = 78;
/** Mail apps show 40 to 140 characters of the preview line. */
const PREHEADER_MAX = 120;
/** The body width (600px) less the text padding (24px each side): the widest an image can be. */
const COLUMN_WIDTH = 552;
/** Worst cases for the size check: the longest name the form takes, each character escaped to an entity. */
const SAMPLE_NAME = '&'.repeat(MAX_NAME_LENGTH);
/** A token for a 254-character address is about 420 characters. */
const SAMPLE_TOKEN = 'x'.repeat(512);

/**
 * The subject: one post's title, or the first title and how many more there are, within 78 characters.
 * @example digestSubject(site, content) // 'Why we moved to SQLite and 4 more from Field Notes'
 */
export const digestSubject = (site: SiteConfig, content: DigestContent): string => {
  const first = content.posts[0];
  if (!first) throw new FeedmailError('A digest needs at least one post.');
  const title = oneLine(first.title);
  const others = content.posts.length - 1 + content.more;
  if (others === 0) return truncateText(title, SUBJECT_MAX);
  // Name the site while it leaves the title 40 characters; the From line names it too.
  const long = ` and ${others} more from ${oneLine(site.title)}`;
  const suffix = [...long].length <= SUBJECT_MAX - 40 ? long : ` and ${others} more`;
  return truncateText(title, SUBJECT_MAX - [...suffix].length) + suffix;
};

/** Puts an invisible WORD JOINER between doubled braces, so post content never forms a placeholder. */
const neutraliseBraces = (text: string): string => text.replace(/\{(?=\{)|\}(?=\})/g, '$&\u2060');

/** URLs keep their meaning with percent-encoded braces, which the invisible joiner would change. */
const neutraliseUrl = (url: string): string => url.replace(/[{}]/g, encodeURIComponent);

/**
 * `<` that starts something MJML's parser (htmlparser2) reads instead of copying: MJML tags, comments, CDATA and
 * declarations, and the raw-text elements whose content hides the `</mj-text>` that follows.
 */
const PARSER_HAZARD = /<(?=[!?]|\/?(?:mj|script|style|title|textarea|xmp|plaintext))/gi;
/** The sanitizer writes `<img a="…" />` with double-quoted, escaped attribute values. */
const IMG = /<img\b([^>]*?)\s*\/?>/gi;
const PRE_OR_NEWLINE = /<pre\b[\s\S]*?<\/pre>|\r?\n/gi;

const attribute = (attributes: string, name: string): string | undefined =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(attributes)?.[1];

/**
 * Images the author gave a width keep it, up to the column (mail apps without CSS, Outlook above all, read the
 * attribute). An image without one keeps its natural size, at most the column's width (`max-width`), so an icon is
 * not stretched; a wider one is shown at column width. Every image gets an `alt`.
 */
const fitImage = (_: string, attributes: string): string => {
  const width = Number(attribute(attributes, 'width'));
  let fitted = attributes;
  if (!(width > 0 && width <= COLUMN_WIDTH)) {
    const unsized = fitted.replace(/\s(?:width|height)="[^"]*"/g, '');
    fitted = width > COLUMN_WIDTH ? `${unsized} width="${COLUMN_WIDTH}"` : unsized;
  }
  if (attribute(fitted, 'alt') === undefined) fitted += ' alt=""';
  return `<img${fitted} />`;
};

/**
 * `<details>` does not open in most mail apps (Gmail and Outlook show the summary alone, or nothing): the summary
 * becomes a bold paragraph and the hidden content follows it, shown.
 */
const DETAILS = /<details\b[^>]*>|<\/details>|<summary\b[^>]*>([\s\S]*?)<\/summary>/gi;
const flattenDetails = (html: string): string =>
  html.replace(DETAILS, (_match, summary?: string) =>
    // A paragraph cannot hold one: a summary written as a paragraph keeps its words.
    summary === undefined ? '' : `<p><strong>${summary.replace(/<\/?p\b[^>]*>/gi, '')}</strong></p>`,
  );

/**
 * Sanitized post HTML made fit for the mail. Also put on one line (newlines in `<pre>` as `&#10;`), so the card keeps
 * the line numbers of its template and an error in it names the right line.
 */
const prepareBody = (html: string): string =>
  neutraliseBraces(
    // Embedded players do not play in mail (Gmail removes them); a link to the media takes their place.
    flattenDetails(embedsAsLinks(html))
      .replace(PARSER_HAZARD, '&lt;')
      .replace(IMG, fitImage)
      .replace(PRE_OR_NEWLINE, (match) => (match.startsWith('<') ? match.replace(/\r?\n/g, '&#10;') : ' ')),
  );

/** The values of one post card; an empty value leaves out the lines that use it. */
const cardValues = (post: DigestPost, index: number, site: SiteConfig, fit: Fit): Record<string, string> => {
  const text = (value: string): string => neutraliseBraces(escapeHtml(oneLine(value)));
  const url = (value: string): string => {
    // The publisher makes every URL absolute; a relative or `javascript:` one here is a bug to stop, not to mail.
    if (safeHref(value) === undefined) throw new FeedmailError(`${post.sourcePath}: "${value}" is not an http(s) URL.`);
    return escapeHtml(neutraliseUrl(value));
  };
  const summary = textParagraphs(post.summary)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('');
  const content = fit === 'full' ? post.html : fit === 'excerpts' ? (post.excerptHtml ?? summary) : summary;
  const names = post.authors.map((author) => oneLine(author.name)).filter((name) => name !== '');
  // The lead image is usually the body's first image: shown only when the content does not show it already, and
  // among teasers for the first post alone. Forty 552px images over forty short summaries read as an image wall, and
  // spam filters score a low ratio of text to image area (SpamAssassin's HTML_IMAGE_RATIO_*).
  const leads = fit === 'full' || index === 0;
  const image = leads && post.image !== undefined && !content.includes(escapeHtml(post.image)) ? post.image : '';
  return {
    postTitle: text(post.title),
    postUrl: url(post.url),
    postDate: text(describeDate(post.date, site, `The date of ${post.sourcePath}`).label),
    postAuthors: names.length === 0 ? '' : text(listFormat(site.language, { type: 'conjunction' }).format(names)),
    postImage: image === '' ? '' : url(image),
    postContent: prepareBody(content),
    readMoreUrl: fit === 'full' ? '' : url(post.url),
  };
};

const VALUE = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Fills `{{name}}` for the names in `values` (already encoded) and leaves the other placeholders to the template
 * compiler. A line that uses an empty value becomes an empty line: optional parts (an image, "Read more") go away,
 * and the line numbers stay those of the file.
 */
const fillLines = (source: string, values: Readonly<Record<string, string>>): string =>
  source
    .split('\n')
    .map((line) => {
      const uses = [...line.matchAll(VALUE)].map((match) => match[1] ?? '');
      if (uses.some((name) => values[name] === '')) return '';
      return line.replace(VALUE, (match, name: string) => values[name] ?? match);
    })
    .join('\n');

/** The digest-wide values, filled in with the site's before MJML runs (escaped by the compiler). */
const digestValues = (site: SiteConfig, content: DigestContent, subject: string, now?: Date) => {
  const newest =
    content.posts
      .map((post) => post.date)
      .sort()
      .at(-1) ?? '';
  const summaries = content.posts.map((post) => oneLine(post.summary || post.title)).join(' ');
  return {
    subject: neutraliseBraces(subject),
    preheader: neutraliseBraces(truncateText(summaries, PREHEADER_MAX)),
    digestDate: describeDate(now?.toISOString() ?? newest, site, 'The digest date').label,
    morePosts: content.more === 0 ? '' : `${content.more} more new ${content.more === 1 ? 'post' : 'posts'}`,
    archiveUrl: siteUrl(site, SITE_FILES.archive),
  };
};

/**
 * MJML's indentation, a sixth of a digest's HTML: it costs bytes under Gmail's clipping limit and shows nowhere
 * (outside `<pre>`, which is kept whole, a newline and the spaces after it render as one space).
 */
const INDENTATION = /<pre\b[\s\S]*?<\/pre>|\n\s+/gi;

const compileIn = async (
  fit: Fit,
  options: { files: Readonly<Record<string, string>>; site: SiteConfig; content: DigestContent; now?: Date },
): Promise<CompiledDigest> => {
  const { files, site, content } = options;
  const entry = files[DIGEST_TEMPLATE];
  const card = files[POST_CARD];
  if (entry === undefined || card === undefined) {
    throw new ConfigError(`Mail templates ${DIGEST_TEMPLATE} and ${POST_CARD} are both needed for the digest.`);
  }
  if (!entry.includes(`path="${POST_CARD}"`)) {
    throw new ConfigError(`Mail template ${DIGEST_TEMPLATE} must include ${POST_CARD}, where the posts go.`);
  }
  const subject = digestSubject(site, content);
  const values = digestValues(site, content, subject, options.now);
  const cards = content.posts.map((post, index) => fillLines(card, cardValues(post, index, site, fit)));
  const compiled = await compileMailTemplate({
    files: {
      ...files,
      [DIGEST_TEMPLATE]: fillLines(entry, { morePosts: escapeHtml(values.morePosts) }),
      [POST_CARD]: cards.join('\n'),
    },
    entry: DIGEST_TEMPLATE,
    siteVars: { ...siteMailVars(site), ...values },
    recipientVars: DIGEST_VARS,
  });
  // List mail without its way out must never go out: fail before the first recipient, not at the complaint.
  if (!compiled.placeholders.includes('unsubscribeUrl')) {
    throw new ConfigError(`Mail template ${DIGEST_TEMPLATE} (or its footer) must contain {{unsubscribeUrl}}.`);
  }
  const html = compiled.html.replace(INDENTATION, (match) => (match.startsWith('<') ? match : '\n'));
  const sample = personalizeMail(
    { ...compiled, html },
    {
      unsubscribeUrl: apiUrl(site, 'unsubscribe', SAMPLE_TOKEN),
      recipientName: SAMPLE_NAME,
    },
  );
  const mode = fit === 'full' ? 'full' : 'excerpts';
  return { ...compiled, html, subject, mode, htmlBytes: Buffer.byteLength(sample.html) };
};

/**
 * Compiles the digest once for every recipient: whole posts when the HTML fits the budget, else excerpts with
 * "Read more" links, else summaries with them. Throws when even summaries do not fit.
 * @example
 * const compiled = await compileDigestMail({ files: mailTemplates, site, content, now });
 * compiled.mode // 'full'
 */
export const compileDigestMail = async (options: {
  files: Readonly<Record<string, string>>;
  site: SiteConfig;
  content: DigestContent;
  /** When the digest goes out: the date it shows (default: the newest post's date). */
  now?: Date;
}): Promise<CompiledDigest> => {
  if (options.content.posts.length === 0) throw new FeedmailError('A digest needs at least one post.');
  let compiled: CompiledDigest | undefined;
  for (const fit of FITS) {
    compiled = await compileIn(fit, options);
    if (compiled.htmlBytes <= HTML_BUDGET_BYTES) return compiled;
  }
  throw new FeedmailError(
    `Digest ${options.content.id} is ${compiled?.htmlBytes} bytes of HTML even with summaries only (budget ` +
      `${HTML_BUDGET_BYTES}, beyond which Gmail cuts off the unsubscribe link): lower digest.maxPosts, or shorten ` +
      "the posts' titles and descriptions.",
  );
};

export { buildDigestMessage } from './digest-message.ts';
export { digestListId } from './list-mail.ts';
