import { addressFile, canonicalAddress, postSourceUrl, postUrl, siteFileAt, unsafeAddress } from '../paths.ts';
import { slugFromPath } from '../slug.ts';
import type { ParseResult, Post, Problem, SiteConfig } from '../types.ts';
import { reportMissingImages, reportRemovedMarkup } from './body-report.ts';
import { dateFromFileName } from './dates.ts';
import { decodePostBytes } from './decode.ts';
import { readPostFields, splitFrontMatter } from './front-matter.ts';
import { renderPostBody } from './markdown.ts';
import { COMMONMARK, goldmarkFlavour, kramdownFlavour, type MarkdownFlavour } from './markdown-flavour.ts';
import { repairMojibake } from './mojibake.ts';
import { stripMarkup } from './plain-text.ts';
import { aliasesOf, generatorIdOf, postAddressOf } from './post-address.ts';
import {
  decodeAttributeValue,
  htmlToText,
  sanitizedHtmlToParagraphs,
  sanitizedHtmlToText,
  sanitizePostHtml,
} from './sanitize.ts';
import { expandShortcodes } from './shortcodes.ts';
import { insertDeferred } from './templating/hugo-shortcodes.ts';
import { mergePageLinkWarnings } from './templating/page-links.ts';
import { type ContentContext, EMPTY_CONTENT } from './templating/template-context.ts';
import { titleFromPath } from './title-from-path.ts';

/** Length of a summary cut from the opening text, in characters. */
const SUMMARY_LENGTH = 300;

/**
 * Turns the bytes of one Markdown file into a post, reporting every problem found along the way.
 * The result has a post only when no problem is an error.
 * @example parsePost({ sourcePath: '2024/hello.md', bytes }, site).post?.url // 'https://notes.example/posts/hello/'
 */
export const parsePost = (
  input: {
    sourcePath: string;
    bytes: Uint8Array;
    /**
     * The date of a post that has none in its front matter or file name: Hugo builds such a post (dated year 1),
     * so it publishes here too, dated when its file last changed (the CLI) or when it was first published (the
     * bucket), with a warning. Without it, a post with no date is rejected.
     */
    undatedAt?: Date;
  },
  site: SiteConfig,
  content: ContentContext = EMPTY_CONTENT,
): ParseResult => {
  const file = input.sourcePath;
  const decoded = decodePostBytes(input.bytes, file, site.maxPostBytes);
  const problems: Problem[] = [...decoded.problems];
  if (hasError(problems)) return { problems };

  const repaired = repairMojibake(decoded.text);
  problems.push(...reportMojibake(repaired, file));

  // Jekyll reads front matter only from the very first line; Hugo (and this publisher, for posts of no known site)
  // also after blank lines.
  const jekyll = isJekyllFile(file, content);
  const frontMatter = splitFrontMatter(repaired.text, file, { strictStart: jekyll });
  const generator = frontMatter.format === 'toml' ? 'hugo' : jekyll ? 'jekyll' : content.generator;
  problems.push(...frontMatter.problems);
  const frontMatterReadable = !hasError(frontMatter.problems);
  const { fields, problems: fieldProblems } = frontMatterReadable
    ? readPostFields({ file, timeZone: site.timeZone, frontMatter, slugAsWritten: content.generator !== undefined })
    : { fields: undefined, problems: [] };
  problems.push(...fieldProblems);
  if (fields && fields.title === undefined && !fieldProblems.some((problem) => problem.field === 'title')) {
    fields.title = titleFromPath(file);
    // Jekyll does exactly this, so its authors need no word; Hugo shows no title at all, so say what was chosen.
    if (!jekyll) {
      problems.push({
        file,
        field: 'title',
        message: `The post has no title, so it is published as "${fields.title}", made from its file name.`,
        fix: 'Add a title: field to the front matter to choose the title yourself.',
        severity: 'warning',
      });
    }
  }

  if (frontMatterReadable && frontMatter.body.trim() === '') {
    problems.push({
      file,
      line: frontMatter.bodyLine,
      field: 'body',
      message: 'The post has no text after its front matter.',
      fix: 'Write the post below the closing front matter line.',
      severity: 'error',
    });
  }
  const fileName = file.slice(file.lastIndexOf('/') + 1);
  let date = fields?.date ?? fields?.publishAt ?? dateFromFileName(fileName, site.timeZone);
  const dateProblem = problems.some((p) => p.field && /date/i.test(p.field));
  if (fields && !date && !dateProblem && input.undatedAt) {
    date = input.undatedAt;
    problems.push({
      file,
      field: 'date',
      message: `The post has no date, so it is dated ${date.toISOString()}, when its file last changed or was first published.`,
      fix: 'Add a date: field such as date: 2024-11-14 to choose the date yourself.',
      severity: 'warning',
    });
  }
  if (fields && !date && !dateProblem) {
    problems.push({
      file,
      field: 'date',
      message: 'The post has no date.',
      fix: 'Add a date: field such as date: 2024-11-14, or start the file name with the date (2024-11-14-title.md).',
      severity: 'error',
    });
  }
  // In a site moved from Hugo or Jekyll, a post keeps the address its generator gave it.
  const address =
    fields && date && content.generator
      ? postAddressOf(
          { sourcePath: file, data: frontMatter.data, title: fields.title ?? '', date },
          content,
          content.generator,
          site.timeZone,
        )
      : undefined;
  const url = date
    ? postUrl(site, address?.path ?? fields?.slug ?? slugFromPath(file, fields?.title ?? ''), date)
    : undefined;
  const expanded = expandShortcodes(
    frontMatter.body,
    { site, pageTitle: fields?.title ?? '', page: { sourcePath: file, params: frontMatter.data }, content },
    {
      // A Hugo post's braces are text (Hugo runs no template over content) unless they are shortcodes; a Jekyll
      // post's, or one of no known site, are Liquid.
      dialect: generator === 'hugo' ? 'hugo' : 'jekyll',
      asGenerator: generator !== undefined,
      ...(date && url ? { date, url } : {}),
    },
  );
  problems.push(
    ...mergePageLinkWarnings(expanded.problems).map(
      (problem): Problem => ({ file, field: 'body', ...problem, line: problem.line + frontMatter.bodyLine - 1 }),
    ),
  );

  if (!fields || fields.title === undefined || !date || hasError(problems)) return { problems };

  const title = stripMarkup(fields.title);
  if (title.changed) {
    problems.push({
      file,
      field: 'title',
      message: `The title has HTML in it, which feeds and mail show as text: it is published as "${title.text}".`,
      fix: 'Write the title as plain text.',
      severity: title.text === '' ? 'error' : 'warning',
    });
    if (title.text === '') return { problems };
  }
  if (fields.summary !== undefined && stripMarkup(fields.summary).changed) {
    problems.push({
      file,
      field: 'description',
      message: 'The description has HTML in it; the summary is published with the tags removed.',
      fix: 'Write the description as plain text.',
      severity: 'warning',
    });
  }

  const body = renderPostBody(expanded.markdown, markdownFlavourOf(generator, content));
  const rendered = {
    html: insertDeferred(body.html, expanded.deferred),
    ...(body.excerptHtml === undefined ? {} : { excerptHtml: insertDeferred(body.excerptHtml, expanded.deferred) }),
  };
  const sanitizeOptions = {
    baseUrl: postSourceUrl(site, file),
    ...(url ? { pageUrl: url } : {}),
    iframeHosts: site.iframeHosts,
  };
  const html = sanitizePostHtml(rendered.html, sanitizeOptions);
  const where = { file, body: frontMatter.body, bodyLine: frontMatter.bodyLine };
  problems.push(...reportRemovedMarkup(rendered.html, html, { ...where, iframeHosts: site.iframeHosts }));
  if (content.files) problems.push(...reportMissingImages(rendered.html, { ...where, files: content.files }));
  const excerptHtml =
    rendered.excerptHtml === undefined ? undefined : sanitizePostHtml(rendered.excerptHtml, sanitizeOptions);
  const image = findFirstImage(html);
  const text = cleanText(sanitizedHtmlToText(html));
  if (text === '' && image === undefined && !html.includes('<iframe')) {
    problems.push({
      file,
      line: frontMatter.bodyLine,
      field: 'body',
      message: 'Nothing of the post is left to show once unsupported markup is removed.',
      fix: 'Write the post in Markdown; scripts, forms and styles are removed from every post.',
      severity: 'error',
    });
    return { problems };
  }
  if (fields.expiresAt && fields.expiresAt.getTime() <= date.getTime()) {
    problems.push({
      file,
      field: 'expiryDate',
      message: 'The post expires before (or when) it is dated, so it will never be shown.',
      fix: 'Move the expiry date after the post date, or remove it.',
      severity: 'warning',
    });
  }

  if (address) {
    const refused = addressProblem(address.path, site, file, frontMatter.data);
    if (refused) return { problems: [...problems, refused] };
  }
  const slug = address?.path ?? fields.slug ?? slugFromPath(file, title.text);
  const old = aliasesOf(frontMatter.data, slug.startsWith('/') ? slug : `/posts/${slug}/`, generator, file, site);
  for (const other of address?.alsoAt ?? []) {
    const kept = canonicalAddress(other);
    if (!old.aliases.includes(kept) && !unsafeAddress(kept) && !siteFileAt(addressFile(kept), site))
      old.aliases.push(kept);
  }
  problems.push(...old.problems);
  const post: Post = {
    sourcePath: file,
    slug,
    title: title.text,
    date,
    draft: fields.draft,
    summary: summarize(fields.summary, excerptHtml, html),
    html,
    tags: fields.tags,
    categories: fields.categories,
    authors: fields.authors,
    url: postUrl(site, slug, date),
  };
  if (fields.authorId !== undefined) post.authorId = fields.authorId;
  if (address) post.generatorId = generatorIdOf(site, content, address.generatorId);
  if (old.aliases.length > 0) post.aliases = old.aliases;
  if (fields.updated && fields.updated.getTime() > date.getTime()) post.updated = fields.updated;
  if (fields.publishAt && fields.publishAt.getTime() > date.getTime()) post.publishAt = fields.publishAt;
  if (fields.expiresAt) post.expiresAt = fields.expiresAt;
  if (excerptHtml !== undefined) post.excerptHtml = excerptHtml;
  if (image !== undefined) post.image = image;
  return { post, problems };
};

/**
 * Whether a post should be shown at `now`: a draft never is; an expired post no longer is; one whose date or
 * publish date is still ahead waits.
 * @example publicationState(post, new Date()) // 'live'
 */
export const publicationState = (post: Post, now: Date): 'draft' | 'scheduled' | 'expired' | 'live' => {
  if (post.draft) return 'draft';
  if (post.expiresAt && post.expiresAt.getTime() <= now.getTime()) return 'expired';
  const goesLive = Math.max(post.date.getTime(), post.publishAt?.getTime() ?? Number.NEGATIVE_INFINITY);
  return goesLive > now.getTime() ? 'scheduled' : 'live';
};

export { postSourceUrl, slugFromPath };

/** A post of a Jekyll site: in a `_posts` folder, or beside a Jekyll `_config.yml` (and not in Hugo's TOML). */
const isJekyllFile = (file: string, content: ContentContext): boolean =>
  file.startsWith('_posts/') || file.includes('/_posts/') || content.generator === 'jekyll';

/**
 * The Markdown a post is rendered as: its generator's (kramdown for a Jekyll site, unless the site names another
 * engine; goldmark for a Hugo site or a post with TOML front matter), else CommonMark with GitHub's extensions.
 */
const markdownFlavourOf = (generator: 'hugo' | 'jekyll' | undefined, content: ContentContext): MarkdownFlavour => {
  if (generator === 'jekyll') {
    const engine = content.jekyll.markdown;
    return engine === undefined || /^kramdown$/i.test(String(engine)) ? kramdownFlavour(content.jekyll) : COMMONMARK;
  }
  return generator === 'hugo' ? goldmarkFlavour(content.hugoConfig) : COMMONMARK;
};

const hasError = (problems: readonly Problem[]): boolean => problems.some((problem) => problem.severity === 'error');

const reportMojibake = (repaired: ReturnType<typeof repairMojibake>, file: string): Problem[] => [
  ...repaired.repairs.map((repair): Problem => {
    const from = visible(repair.from);
    const message = !repair.guessed
      ? `Text that had been mis-decoded (UTF-8 read as ${repair.encoding}) was repaired: "${from}" became "${repair.to}".`
      : repair.to === ''
        ? `Garbled text ("${from}", UTF-8 read as ${repair.encoding}) lost a byte that cannot be told from context, so it was removed.`
        : `Garbled text ("${from}", UTF-8 read as ${repair.encoding}) lost a byte; from context it was read as "${repair.to}".`;
    return {
      file,
      line: repair.line,
      message,
      fix: repair.guessed
        ? 'Check that the line reads as intended (retype the character if something is missing), and save the file as UTF-8.'
        : 'Check that the line reads as intended, and save the file as UTF-8 so it needs no repair.',
      severity: 'warning',
    };
  }),
  ...repaired.suspects.map(
    (suspect): Problem => ({
      file,
      line: suspect.line,
      message: `This line has characters that look garbled by a wrong encoding and could not be repaired: "${visible(suspect.sample)}". It is published as it is.`,
      fix: 'Retype those characters, or re-save the file as UTF-8 in your editor.',
      severity: 'warning',
    }),
  ),
];

/** Invisible and replacement characters, named so the author can see what was there. */
const visible = (text: string): string =>
  text.replace(
    /[\ufffd\uf8ff\u0080-\u009f]/gu,
    (char) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never belong in a summary
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f-\u009f\s]+/g;

const cleanText = (text: string): string => text.replace(CONTROL_OR_SPACE, ' ').trim();
const plainText = (html: string): string => cleanText(htmlToText(html));

/** The front matter description, else the excerpt, else the opening text cut at a word boundary. */
const summarize = (description: string | undefined, excerptHtml: string | undefined, html: string): string => {
  if (description !== undefined) return plainText(description);
  const excerpt = excerptHtml === undefined ? '' : paragraphsOf(excerptHtml);
  return excerpt !== '' ? excerpt : truncateText(paragraphsOf(html), SUMMARY_LENGTH);
};

/** Text with a blank line between paragraphs, so a summary never runs two of them together. */
const paragraphsOf = (sanitized: string): string =>
  sanitizedHtmlToParagraphs(sanitized)
    .map(cleanText)
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');

/**
 * Cuts text to at most `length` characters (code points, so emoji stay whole) at a word boundary, with an ellipsis.
 * Text without spaces (Chinese, Japanese) is cut at the length itself.
 */
export const truncateText = (text: string, length: number): string => {
  const characters = Array.from(text);
  if (characters.length <= length) return text;
  const cut = characters.slice(0, length).join('');
  const boundary = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
  const head = boundary > cut.length / 2 ? cut.slice(0, boundary) : cut;
  return `${head.replace(/[\s.,;:!?…-]+$/u, '')}…`;
};

/** The `src` of the first image in sanitized HTML (already absolute), with its character references decoded. */
const findFirstImage = (html: string): string | undefined => {
  const src = /<img\b[^>]*?\ssrc="([^"]*)"/i.exec(html)?.[1];
  return src ? decodeAttributeValue(src) : undefined;
};

/**
 * Why a post cannot have the address its generator's rules give it: one that would leave the site once decoded,
 * or one where the site keeps a page or feed of its own (the home page, a feed, the archive).
 */
const addressProblem = (
  address: string,
  site: SiteConfig,
  file: string,
  data: Record<string, unknown>,
): Problem | undefined => {
  const unsafe = unsafeAddress(address);
  const taken = unsafe ? undefined : siteFileAt(addressFile(address), site);
  if (!unsafe && !taken) return undefined;
  const field = data.permalink !== undefined ? 'permalink' : data.url !== undefined ? 'url' : 'date';
  return {
    file,
    field,
    message: unsafe
      ? `The post's address ${address} cannot be published: ${unsafe}.`
      : `The post's address ${address} is ${taken}, which a post cannot replace.`,
    fix: 'Give the post another permalink (Jekyll) or url (Hugo), or change the site’s permalink rule.',
    severity: 'error',
  };
};
