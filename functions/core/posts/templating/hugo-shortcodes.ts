import { lineLocator } from '../../line-locator.ts';
import { renderInlineMarkdown } from '../markdown.ts';
import { GoTemplateError, GoTemplateLimitError } from './go-template.ts';
import { TemplateErrorfError } from './hugo-functions/fmt.ts';
import { type HugoPageInfo, HugoTemplateSession, type ShortcodeFrame } from './hugo-templates.ts';
import { createPageLinker } from './page-links.ts';
import { parseShortcodes, type ShortcodeCall, type ShortcodeNode, type ShortcodeParams } from './shortcode-syntax.ts';
import type { BodyProblem, TemplateContext } from './template-context.ts';

/**
 * Expands Hugo shortcodes in a post body the way Hugo does: `{{< >}}` output goes in as HTML, `{{% %}}` output
 * is Markdown rendered with the page. The site's own templates (`layouts/shortcodes/<name>.html`, or
 * `templates/shortcodes/`) come first, as in Hugo, run by the Go template engine (go-template.ts) with Hugo's
 * functions; then the built-ins: figure, img, youtube, vimeo, x/twitter/tweet, gist, highlight, details, param,
 * ref, relref, instagram and qr. An unknown shortcode is an error, as in Hugo. All the templates of one post share
 * one budget (steps, output, depth): a runaway template rejects its post, and only its post.
 */

const BUILTIN_NAMES =
  'figure, img, youtube, vimeo, x, twitter, tweet, gist, highlight, details, param, ref, relref, instagram, qr';

type Rendered = { text: string; problems: BodyProblem[] };

type PageLinker = ReturnType<typeof createPageLinker>;

/**
 * @example expandHugoShortcodes('{{< img src="a.png" alt="A" >}}', context, []).markdown // '<img src="a.png" alt="A">'
 */
export const expandHugoShortcodes = (
  body: string,
  context: TemplateContext,
  codeRanges: readonly [number, number][],
  page: HugoPageInfo = {},
  options: { deferHtml?: boolean } = {},
): { markdown: string; problems: BodyProblem[]; deferred: Record<string, string> } => {
  const deferred: Record<string, string> = {};
  const lineOf = lineLocator(body);
  const parsed = parseShortcodes(body, codeRanges);
  const problems: BodyProblem[] = parsed.problems.map((problem) => ({
    line: lineOf(problem.offset),
    message: problem.message,
    fix: problem.fix,
    severity: 'error',
  }));
  const linkPage = createPageLinker(context);
  let session: HugoTemplateSession | undefined;
  const sessionFor = () => {
    session ??= new HugoTemplateSession(context, page);
    return session;
  };
  const expandRange = (start: number, end: number, nodes: ShortcodeNode[], parent?: ShortcodeFrame): string => {
    let out = '';
    let at = start;
    let ordinal = 0;
    for (const node of nodes) {
      out += body.slice(at, node.start);
      if (node.kind === 'comment') out += node.text;
      else {
        const frame: ShortcodeFrame = {
          name: node.name,
          params: node.params,
          ordinal: ordinal++,
          line: lineOf(node.start),
          ...(parent ? { parent } : {}),
        };
        const inner = node.inner
          ? expandRange(node.inner.start, node.inner.end, node.inner.children, frame)
          : undefined;
        if (inner !== undefined) frame.inner = inner;
        const rendered = renderCall(node, frame, inner, context, body, sessionFor, linkPage);
        problems.push(...rendered.problems);
        out += options.deferHtml ? defer(rendered.text, node, out, deferred) : place(rendered.text, node, out);
      }
      at = node.end;
    }
    return out + body.slice(at, end);
  };
  const markdown = expandRange(0, body.length, parsed.nodes);
  for (const warning of session?.collectedWarnings() ?? []) {
    problems.push({
      line: warning.line,
      message: warning.message,
      fix: 'Nothing needed for the post to publish; change the template or the shortcode call to avoid the warning.',
      severity: 'warning',
    });
  }
  return { markdown, problems, deferred };
};

/**
 * Hugo's own order: `{{< >}}` output is kept out of the Markdown, as a placeholder the renderer passes through
 * untouched, and put back into the rendered HTML (`insertDeferred`); `{{% %}}` output is Markdown, rendered with the
 * page. Output marked as a block (code, details) is Markdown here too, on lines of its own.
 */
const defer = (text: string, call: ShortcodeCall, before: string, deferred: Record<string, string>): string => {
  if (text.startsWith(BLOCK_MARK) || call.delimiter === '%') return place(text, call, before);
  const token = `HAHAHUGOSHORTCODE-s${Object.keys(deferred).length}-HBHB`;
  deferred[token] = text;
  return token;
};

const DEFERRED_TOKEN = /(<p>)?(HAHAHUGOSHORTCODE-s\d+-HBHB)(<\/p>)?/g;

/**
 * Puts deferred shortcode output back into rendered HTML. A placeholder that is a paragraph on its own loses the
 * paragraph around it, as in Hugo; output that holds placeholders of shortcodes inside it is filled in as well.
 * @example insertDeferred('<p>HAHAHUGOSHORTCODE-s0-HBHB</p>', { 'HAHAHUGOSHORTCODE-s0-HBHB': '<aside>x</aside>' }) // '<aside>x</aside>'
 */
export const insertDeferred = (html: string, deferred: Readonly<Record<string, string>>): string => {
  if (Object.keys(deferred).length === 0) return html;
  let result = html;
  // Nesting is bounded by the number of shortcodes: each pass fills one level.
  for (let pass = 0; pass <= Object.keys(deferred).length && result.includes('HAHAHUGOSHORTCODE-s'); pass++) {
    result = result.replace(
      DEFERRED_TOKEN,
      (match, open: string | undefined, token: string, close: string | undefined) => {
        const output = deferred[token];
        if (output === undefined) return match;
        return open && close ? output : `${open ?? ''}${output}${close ?? ''}`;
      },
    );
  }
  return result;
};

/** Markers that `place` reads: output that must stand as Markdown blocks of its own. */
const BLOCK_MARK = '\u0000block\u0000';

/**
 * `{{< >}}` output is HTML that Markdown must not touch: put on one line, so a blank line inside it cannot end
 * the HTML block early. Output marked as a block (code, details) starts and ends on a line of its own.
 */
const place = (text: string, call: ShortcodeCall, before: string): string => {
  if (text.startsWith(BLOCK_MARK)) {
    const block = text.slice(BLOCK_MARK.length);
    const lineStart = before === '' || before.endsWith('\n') ? '' : '\n\n';
    return `${lineStart}${block}\n`;
  }
  if (call.delimiter === '%' || text.includes('<pre')) return text;
  return text.replace(/\s*\n\s*/g, ' ');
};

const fail = (line: number, message: string, fix: string): Rendered => ({
  text: '',
  problems: [{ line, message, fix, severity: 'error' }],
});

const ok = (text: string): Rendered => ({ text, problems: [] });

const renderCall = (
  call: ShortcodeCall,
  frame: ShortcodeFrame,
  inner: string | undefined,
  context: TemplateContext,
  body: string,
  session: () => HugoTemplateSession,
  linkPage: PageLinker,
): Rendered => {
  const { line } = frame;
  const template = context.content?.shortcodes[call.name];
  if (template !== undefined) {
    const path = context.content?.shortcodePaths?.[call.name] ?? `layouts/shortcodes/${call.name}.html`;
    if (inner === undefined && !call.selfClosing && /\.Inner(?:Deindent)?\b/.test(template)) {
      return fail(
        line,
        `The shortcode "${call.name}" has no closing {{< /${call.name} >}}, and its template (${path}) shows what goes inside it.`,
        `Close it: {{< ${call.name} >}}…{{< /${call.name} >}}, or {{< ${call.name} />}} when there is nothing inside (Hugo refuses it too).`,
      );
    }
    return renderCustom(frame, path, template, session());
  }
  const args = call.params;
  switch (call.name.toLowerCase()) {
    case 'img':
      return renderImage(args, line, false);
    case 'figure':
      return renderImage(args, line, true);
    case 'youtube':
      return renderVideo(args, line, context, 'youtube');
    case 'vimeo':
      return renderVideo(args, line, context, 'vimeo');
    case 'x':
    case 'twitter':
    case 'tweet':
      return renderPost(args, line, call.name);
    case 'instagram':
      return renderInstagram(args, line);
    case 'gist':
      return renderGist(args, line);
    case 'highlight':
      return renderHighlight(args, inner, line);
    case 'details':
      return renderDetails(args, inner, line);
    case 'param':
      return renderParam(args, context, line);
    case 'ref':
    case 'relref':
      return renderReference(args, line, call.name, linkPage);
    case 'qr':
      return renderQr(args, inner, line);
    default:
      return fail(
        line,
        `The shortcode "${call.name}" is not one Hugo has built in, and the site has no template for it (${shorten(body.slice(call.start, call.start + 60))}).`,
        `Upload its template as templates/shortcodes/${call.name}.html, or replace it with Markdown; built in are ${BUILTIN_NAMES}.`,
      );
  }
};

// ---------------------------------------------------------------- built-ins

const renderImage = (args: ShortcodeParams, line: number, asFigure: boolean): Rendered => {
  const name = asFigure ? 'figure' : 'img';
  const src = args.named.get('src') ?? args.positional[0];
  if (!src?.trim()) {
    return fail(line, `The "${name}" shortcode has no src.`, `Add the image: {{< ${name} src="photo.jpg" alt="…" >}}.`);
  }
  const alt = args.named.get('alt') ?? args.positional[1] ?? '';
  const attributes = [
    `src="${escapeAttribute(src.trim())}"`,
    `alt="${escapeAttribute(alt)}"`,
    ...['width', 'height']
      .filter((key) => /^\d{1,5}$/.test(args.named.get(key) ?? ''))
      .map((key) => `${key}="${args.named.get(key)}"`),
  ];
  const title = args.named.get('title');
  if (!asFigure) {
    const titleAttribute = title ? ` title="${escapeAttribute(title)}"` : '';
    return ok(`<img ${attributes.join(' ')}${titleAttribute}>`);
  }
  const image = `<img ${attributes.join(' ')}>`;
  const link = args.named.get('link');
  const linked = link ? `<a href="${escapeAttribute(link)}">${image}</a>` : image;
  const caption = args.named.get('caption');
  // Hugo's own figure puts the title in an <h4>; a caption is not a section of the post, so it stays a caption.
  const heading = title ? `<p><strong>${escapeText(title)}</strong></p>` : '';
  const attribution = args.named.get('attr');
  const attributionLink = args.named.get('attrlink');
  const attributionHtml = attribution
    ? ` ${attributionLink ? `<a href="${escapeAttribute(attributionLink)}">${renderInlineMarkdown(attribution)}</a>` : renderInlineMarkdown(attribution)}`
    : '';
  const captionHtml =
    caption || attribution ? `<p>${caption ? renderInlineMarkdown(caption) : ''}${attributionHtml}</p>` : '';
  const figcaption = heading || captionHtml ? `<figcaption>${heading}${captionHtml}</figcaption>` : '';
  return ok(`<figure>${linked}${figcaption}</figure>`);
};

const VIDEO = {
  youtube: { host: 'www.youtube-nocookie.com', id: /^[\w-]{6,20}$/, url: 'https://www.youtube-nocookie.com/embed/' },
  vimeo: { host: 'player.vimeo.com', id: /^\d{3,12}$/, url: 'https://player.vimeo.com/video/' },
} as const;

const renderVideo = (
  args: ShortcodeParams,
  line: number,
  context: TemplateContext,
  service: keyof typeof VIDEO,
): Rendered => {
  const video = VIDEO[service];
  const id = args.named.get('id') ?? args.positional[0] ?? '';
  if (!video.id.test(id)) {
    return fail(
      line,
      `The "${service}" shortcode needs a video id, and "${shorten(id)}" is not one.`,
      `Write {{< ${service} ID >}} with the id from the video's address.`,
    );
  }
  if (!context.site.iframeHosts.includes(video.host)) {
    return fail(
      line,
      `The "${service}" shortcode embeds ${video.host}, which the site's iframeHosts setting does not allow.`,
      `Add ${video.host} to iframeHosts in the site config, or link to the video instead.`,
    );
  }
  const title = args.named.get('title') ?? `${service === 'youtube' ? 'YouTube' : 'Vimeo'} video`;
  return ok(
    `<iframe src="${video.url}${id}" title="${escapeAttribute(title)}" width="560" height="315" ` +
      'loading="lazy" allowfullscreen></iframe>',
  );
};

/** X (Twitter) posts as a quotation linking to the post: no third-party script reaches readers. */
const renderPost = (args: ShortcodeParams, line: number, name: string): Rendered => {
  const user = args.named.get('user') ?? (args.positional.length > 1 ? args.positional[0] : undefined);
  const id = args.named.get('id') ?? args.positional.at(-1) ?? '';
  if (!/^\d{1,25}$/.test(id) || (user !== undefined && !/^\w{1,50}$/.test(user))) {
    return fail(
      line,
      `The "${name}" shortcode needs the post's user and numeric id, and got ${shorten([user, id].filter(Boolean).join(' ')) || 'neither'}.`,
      `Write {{< ${name} user="SanDiegoZoo" id="1453110110599868418" >}}, from the post's address.`,
    );
  }
  const url = `https://x.com/${user ?? 'i'}/status/${id}`;
  const label = user ? `A post by @${user} on X` : 'A post on X';
  return ok(`<blockquote class="x-post"><p><a href="${url}">${escapeText(label)}</a></p></blockquote>`);
};

const renderInstagram = (args: ShortcodeParams, line: number): Rendered => {
  const id = args.named.get('id') ?? args.positional[0] ?? '';
  if (!/^[\w-]{4,40}$/.test(id)) {
    return fail(
      line,
      `The "instagram" shortcode needs a post id, and "${shorten(id)}" is not one.`,
      'Write {{< instagram CxOWiQNP2MO >}}.',
    );
  }
  return ok(
    `<blockquote class="instagram-post"><p><a href="https://www.instagram.com/p/${id}/">A post on Instagram</a></p></blockquote>`,
  );
};

/** A gist as a link to it: its embed is a script, which no feed reader or mail client runs. */
const renderGist = (args: ShortcodeParams, line: number): Rendered => {
  const [user = '', id = '', file] = args.positional;
  if (!/^[\w-]{1,40}$/.test(user) || !/^[0-9a-f]{1,40}$/i.test(id)) {
    return fail(
      line,
      'The "gist" shortcode needs the user and the gist id.',
      'Write {{< gist user 23932424365401ffa5e9d9810102a477 >}}.',
    );
  }
  const anchor = file ? `#file-${file.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` : '';
  const label = file ? `${file} (gist by ${user})` : `A gist by ${user}`;
  return ok(`<p><a href="https://gist.github.com/${user}/${id}${anchor}">${escapeText(label)}</a></p>`);
};

/** A shortcode that wraps content, used without its closing tag. */
const needsClosing = (name: string, what: string, example: string, line: number): Rendered =>
  fail(
    line,
    `The "${name}" shortcode has no closing {{< /${name} >}}.`,
    `Put ${what} between {{< ${name}${example} >}} and {{< /${name} >}}.`,
  );

const renderHighlight = (args: ShortcodeParams, inner: string | undefined, line: number): Rendered => {
  if (inner === undefined) return needsClosing('highlight', 'the code', ' go', line);
  const language = args.named.get('lang') ?? args.positional[0] ?? '';
  if (!/^[\w+#.-]*$/.test(language))
    return fail(
      line,
      `"${shorten(language)}" is not a language name.`,
      'Write the language as in {{< highlight go >}}.',
    );
  return ok(BLOCK_MARK + fencedCode(inner, language));
};

/** A fenced code block longer than any run of backquotes in the code, so the code cannot close it. */
export const fencedCode = (text: string, language: string): string => {
  const code = text.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
  const longestRun = Math.max(2, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${language}\n${code}\n${fence}`;
};

const renderDetails = (args: ShortcodeParams, inner: string | undefined, line: number): Rendered => {
  if (inner === undefined) return needsClosing('details', 'the hidden text', ' summary="…"', line);
  const summary = args.named.get('summary') ?? 'Details';
  const open = ['true', 'open'].includes((args.named.get('open') ?? '').toLowerCase()) ? ' open' : '';
  return ok(
    `${BLOCK_MARK}<details${open}><summary>${renderInlineMarkdown(summary)}</summary>\n\n${inner.trim()}\n\n</details>`,
  );
};

/** Page params first, then the site's, as Hugo's `.Page.Param` reads them; dotted names reach into maps. */
const renderParam = (args: ShortcodeParams, context: TemplateContext, line: number): Rendered => {
  const name = args.positional[0] ?? args.named.get('name') ?? '';
  const value = findParam(context.page?.params ?? {}, name) ?? findParam(context.content?.params ?? {}, name);
  if (value === undefined || value === null || typeof value === 'object') {
    return fail(
      line,
      `The param shortcode asks for "${name}", which neither the post's front matter nor the site's params have.`,
      `Add ${name} to the front matter, or to params in the Hugo config (hugo.toml) uploaded beside the posts.`,
    );
  }
  return ok(escapeText(String(value)));
};

const findParam = (params: Record<string, unknown>, name: string): unknown =>
  name.split('.').reduce<unknown>((value, key) => {
    if (!value || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    const found = Object.keys(record).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : record[found];
  }, params);

/** ref and relref: another post's page here, or a page of the author's own site (both as absolute URLs). */
const renderReference = (args: ShortcodeParams, line: number, name: string, linkPage: PageLinker): Rendered => {
  const target = args.positional[0] ?? args.named.get('path') ?? '';
  const linked = linkPage({ target, generator: 'hugo', written: `{{< ${name} "${target}" >}}`, line });
  return { text: linked.url, problems: linked.problems };
};

const renderQr = (args: ShortcodeParams, inner: string | undefined, line: number): Rendered => {
  const text = args.named.get('text') ?? inner?.trim() ?? '';
  if (text === '')
    return fail(line, 'The "qr" shortcode has no text to encode.', 'Write {{< qr text="https://example.org" />}}.');
  const label = escapeText(args.named.get('alt') ?? text);
  return ok(/^https?:\/\//.test(text) ? `<a href="${escapeAttribute(text)}">${label}</a>` : label);
};

// ---------------------------------------------------------------- the site's own templates

const renderCustom = (
  frame: ShortcodeFrame,
  path: string,
  template: string,
  session: HugoTemplateSession,
): Rendered => {
  try {
    return ok(session.renderShortcode(frame, path, template));
  } catch (error) {
    if (!(error instanceof GoTemplateError)) throw error;
    const where = error.line === undefined ? path : `${path} (line ${error.line})`;
    const detail = error.message.replace(/\.$/, '');
    if (error instanceof TemplateErrorfError) {
      return fail(
        frame.line,
        `The site's shortcode template ${where} stops this post with its own error: ${detail}.`,
        'The template refuses the shortcode as written (Hugo would stop the build too): give it what its message asks for.',
      );
    }
    if (error instanceof GoTemplateLimitError) {
      return fail(
        frame.line,
        `The site's shortcode template ${where} was stopped: ${detail}.`,
        'Look for a loop over a huge range or a partial that includes itself; the templates of one post share one budget.',
      );
    }
    return fail(
      frame.line,
      `The site's shortcode template ${where} cannot be used here: ${detail}.`,
      'Correct the template or the shortcode call, or replace the shortcode with Markdown.',
    );
  }
};

// ---------------------------------------------------------------- escaping

const shorten = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
};

export const escapeText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const escapeAttribute = (text: string): string => escapeText(text).replace(/"/g, '&quot;');
