import { findCodeLines, renderInlineMarkdown } from './markdown.ts';
import { expandHugoShortcodes } from './templating/hugo-shortcodes.ts';
import type { TemplateContext } from './templating/template-context.ts';
import type { SiteConfig } from './types.ts';

/**
 * Hugo shortcodes and Jekyll Liquid, expanded in the Markdown source before it is rendered. Only what a newsletter
 * post needs is supported; anything else is reported, and never left in the output as template text.
 * Code (fenced and indented blocks, inline code spans) is an example and is left exactly as written.
 */

export type ShortcodeContext = TemplateContext & {
  site: Pick<SiteConfig, 'baseUrl' | 'title' | 'description' | 'iframeHosts'>;
};

/** A problem in the body; `line` is 1-based within the body. */
export interface BodyProblem {
  line: number;
  message: string;
  fix: string;
  severity: 'error' | 'warning';
}

const SUPPORTED_SHORTCODES = 'img, figure, youtube and vimeo';
const SUPPORTED_LIQUID =
  '{{ site.url }}, {{ site.baseurl }}, {{ site.title }}, {{ page.title }}, the relative_url and absolute_url filters, ' +
  'and the raw, highlight and comment tags';

/** One template tag or code span found on a line; code spans are kept as they are. */
const TOKEN = /(`+)[^`]*?\1(?!`)|\{\{[<%][\s\S]*?[>%]\}\}|\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{\{|\{%/g;

type OpenBlock = { kind: 'raw' | 'comment' | 'highlight'; line: number; language: string; text: string };

/**
 * Expands shortcodes and Liquid in a post body.
 * @example expandShortcodes('{{< img src="a.png" alt="A" >}}', context).markdown // '<img src="a.png" alt="A">'
 */
export const expandShortcodes = (
  body: string,
  context: ShortcodeContext,
): { markdown: string; problems: BodyProblem[] } => {
  // Most posts have neither shortcodes nor Liquid; finding code lines would cost them a full Markdown parse.
  if (!body.includes('{{') && !body.includes('{%')) return { markdown: body, problems: [] };
  const codeLines = findCodeLines(body);
  // Hugo posts go through Hugo's own grammar; Hugo runs no Liquid, so their other braces stay text.
  if (body.includes('{{<') || body.includes('{{%')) {
    const spans = [...body.matchAll(/(`+)[^`]*?\1(?!`)/g)].map((m): [number, number] => [
      m.index,
      m.index + m[0].length,
    ]);
    return expandHugoShortcodes(body, context, [...codeRangesOf(body, codeLines), ...spans]);
  }
  const lines = body.split('\n');
  const problems: BodyProblem[] = [];
  let out = '';
  let block: OpenBlock | undefined;

  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    let rest = lines[index] ?? '';
    const newline = index < lines.length - 1 ? '\n' : '';
    if (!block && codeLines.has(index)) {
      out += rest + newline;
      continue;
    }
    while (rest !== '' || block) {
      if (block) {
        const end = new RegExp(`\\{%-?\\s*end${block.kind}\\s*-?%\\}`).exec(rest);
        if (!end) {
          block.text += rest + newline;
          rest = '';
          break;
        }
        block.text += rest.slice(0, end.index);
        out = closeBlock(out, block);
        block = undefined;
        rest = rest.slice(end.index + end[0].length);
        continue;
      }
      TOKEN.lastIndex = 0;
      const found = TOKEN.exec(rest);
      if (!found) {
        out += rest;
        break;
      }
      out += rest.slice(0, found.index);
      rest = rest.slice(found.index + found[0].length);
      const expansion = expandToken(found[0], lineNumber, context);
      if (expansion.problem) problems.push(expansion.problem);
      if (expansion.open) block = { ...expansion.open, line: lineNumber, text: '' };
      out += expansion.text;
    }
    if (!block) out += newline;
  }
  if (block) {
    problems.push({
      line: block.line,
      message: `The Liquid tag {% ${block.kind} %} is never closed.`,
      fix: `Add {% end${block.kind} %} where it should end.`,
      severity: 'error',
    });
    out = closeBlock(out, block);
  }
  return { markdown: out, problems };
};

/** Offsets [start, end) of the lines in `lines`, merged where they touch. */
const codeRangesOf = (body: string, lines: ReadonlySet<number>): [number, number][] => {
  const ranges: [number, number][] = [];
  let offset = 0;
  body.split('\n').forEach((line, index) => {
    const end = offset + line.length + 1;
    if (lines.has(index)) {
      const last = ranges.at(-1);
      if (last && last[1] === offset) last[1] = end;
      else ranges.push([offset, end]);
    }
    offset = end;
  });
  return ranges;
};

type Expansion = {
  text: string;
  problem?: BodyProblem;
  open?: { kind: OpenBlock['kind']; language: string };
};

const expandToken = (token: string, line: number, context: ShortcodeContext): Expansion => {
  if (token.startsWith('`')) return { text: token };
  if (token.startsWith('{{</*') || token.startsWith('{{%/*')) return { text: unescapeShortcode(token) };
  if (token.startsWith('{{<') || token.startsWith('{{%')) return expandHugo(token, line, context);
  if (token.startsWith('{{')) return expandLiquidOutput(token, line, context);
  return expandLiquidTag(token, line);
};

const shorten = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

const fail = (line: number, message: string, fix: string): Expansion => ({
  text: '',
  problem: { line, message, fix, severity: 'error' },
});

// Hugo's own way to show a shortcode as text: the name wrapped in a comment, as in {{</* img */>}}, prints {{< img >}}.
const unescapeShortcode = (token: string): string =>
  token.replace(/^(\{\{[<%])\/\*/, '$1').replace(/\*\/([>%]\}\})$/, '$1');

// ---------------------------------------------------------------- Hugo

const HUGO = /^\{\{([<%])\s*(\/?)\s*([A-Za-z][\w-]*)([\s\S]*?)\s*\/?\s*([>%])\}\}$/;

const expandHugo = (token: string, line: number, context: ShortcodeContext): Expansion => {
  const match = HUGO.exec(token);
  if (!match || !token.endsWith('}}') || (match[1] === '<') !== (match[5] === '>')) {
    return fail(
      line,
      `This shortcode is not written correctly: ${shorten(token)}`,
      'Write it on one line as {{< name key="value" >}} (or {{% name key="value" %}}).',
    );
  }
  const [, , closing, name = '', rawArgs = ''] = match;
  if (closing) {
    return fail(
      line,
      `The closing shortcode {{< /${name} >}} has no supported opening shortcode.`,
      `Remove it; the supported shortcodes (${SUPPORTED_SHORTCODES}) take no inner content.`,
    );
  }
  const args = parseShortcodeArgs(rawArgs);
  if (!args) {
    return fail(
      line,
      `The arguments of the "${name}" shortcode cannot be read: ${shorten(rawArgs.trim())}`,
      'Write arguments as key="value" pairs separated by spaces.',
    );
  }
  switch (name.toLowerCase()) {
    case 'img':
      return renderImage(args, line, false);
    case 'figure':
      return renderImage(args, line, true);
    case 'youtube':
      return renderVideo(args, line, context, 'youtube');
    case 'vimeo':
      return renderVideo(args, line, context, 'vimeo');
    default:
      return fail(
        line,
        `The Hugo shortcode "${name}" is not supported here.`,
        `Replace it with Markdown or HTML; the supported shortcodes are ${SUPPORTED_SHORTCODES}.`,
      );
  }
};

interface ShortcodeArgs {
  named: Map<string, string>;
  positional: string[];
}

const ARG = /\s*(?:([A-Za-z_][\w-]*)\s*=\s*)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|'([^']*)'|([^\s"'`=]+))/y;

/** `src="a.png" alt='A'` or positional `abc123`; undefined when something cannot be read. */
const parseShortcodeArgs = (raw: string): ShortcodeArgs | undefined => {
  const args: ShortcodeArgs = { named: new Map(), positional: [] };
  const text = raw.trim();
  ARG.lastIndex = 0;
  while (ARG.lastIndex < text.length) {
    const match = ARG.exec(text);
    if (!match) return undefined;
    const [, key, doubleQuoted, backquoted, singleQuoted, bare] = match;
    const value = doubleQuoted?.replace(/\\(.)/g, '$1') ?? backquoted ?? singleQuoted ?? bare ?? '';
    if (key) args.named.set(key.toLowerCase(), value);
    else args.positional.push(value);
  }
  return args;
};

const renderImage = (args: ShortcodeArgs, line: number, asFigure: boolean): Expansion => {
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
    return { text: `<img ${attributes.join(' ')}${titleAttribute}>` };
  }
  const image = `<img ${attributes.join(' ')}>`;
  const link = args.named.get('link');
  const linked = link ? `<a href="${escapeAttribute(link)}">${image}</a>` : image;
  const caption = args.named.get('caption');
  const heading = title ? `<h4>${escapeText(title)}</h4>` : '';
  const captionHtml = caption ? `<p>${renderInlineMarkdown(caption)}</p>` : '';
  const figcaption = heading || captionHtml ? `<figcaption>${heading}${captionHtml}</figcaption>` : '';
  return { text: `<figure>${linked}${figcaption}</figure>` };
};

const VIDEO = {
  youtube: { host: 'www.youtube-nocookie.com', id: /^[\w-]{6,20}$/, url: 'https://www.youtube-nocookie.com/embed/' },
  vimeo: { host: 'player.vimeo.com', id: /^\d{3,12}$/, url: 'https://player.vimeo.com/video/' },
} as const;

const renderVideo = (
  args: ShortcodeArgs,
  line: number,
  context: ShortcodeContext,
  service: keyof typeof VIDEO,
): Expansion => {
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
  return {
    text:
      `<iframe src="${video.url}${id}" title="${escapeAttribute(title)}" width="560" height="315" ` +
      'loading="lazy" allowfullscreen></iframe>',
  };
};

// ---------------------------------------------------------------- Liquid

const expandLiquidOutput = (token: string, line: number, context: ShortcodeContext): Expansion => {
  if (!token.endsWith('}}') || token.length < 4) {
    return fail(line, `"{{" is never closed on this line.`, liquidFix);
  }
  const expression = token.slice(2, -2).replace(/^-/, '').replace(/-$/, '').trim();
  const [head = '', ...filters] = splitFilters(expression);
  const start = readLiquidValue(head, context);
  if (start === undefined) {
    return fail(line, `The Liquid expression {{ ${shorten(expression)} }} is not supported.`, liquidFix);
  }
  let value = start;
  for (const filter of filters) {
    const applied = applyFilter(filter, value, context);
    if (applied === undefined) {
      return fail(line, `The Liquid filter "${shorten(filter)}" is not supported.`, liquidFix);
    }
    value = { text: applied, isUrl: true };
  }
  return { text: value.isUrl ? encodeUnsafeUrlCharacters(value.text) : escapeForMarkdown(value.text) };
};

const liquidFix = `Replace it with plain text or a link; supported are ${SUPPORTED_LIQUID}. To show template code as is, put it in a code block or between {% raw %} and {% endraw %}.`;

/** Splits `"/a" | relative_url` at the pipes that are not inside a quoted string. */
const splitFilters = (expression: string): string[] => {
  const parts = [''];
  let quote: string | undefined;
  for (const char of expression) {
    if (quote) quote = char === quote ? undefined : quote;
    else if (char === '"' || char === "'") quote = char;
    else if (char === '|') {
      parts.push('');
      continue;
    }
    parts[parts.length - 1] += char;
  }
  return parts.map((part) => part.trim());
};

const readLiquidValue = (head: string, context: ShortcodeContext): { text: string; isUrl: boolean } | undefined => {
  const literal = /^"([^"]*)"$|^'([^']*)'$/.exec(head);
  if (literal) return { text: literal[1] ?? literal[2] ?? '', isUrl: false };
  const base = new URL(context.site.baseUrl);
  switch (head) {
    case 'site.url':
      return { text: base.origin, isUrl: true };
    case 'site.baseurl':
      return { text: basePath(context), isUrl: true };
    case 'site.title':
      return { text: context.site.title, isUrl: false };
    case 'site.description':
      return { text: context.site.description, isUrl: false };
    case 'page.title':
      return { text: context.pageTitle, isUrl: false };
    default:
      return undefined;
  }
};

/** Jekyll's `relative_url` and `absolute_url`: prefix the site's path (and origin); absolute URLs pass through. */
const applyFilter = (
  filter: string,
  value: { text: string; isUrl: boolean },
  context: ShortcodeContext,
): string | undefined => {
  if (filter !== 'relative_url' && filter !== 'absolute_url') return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value.text)) return value.text;
  const relative = value.text.startsWith(basePath(context) || '\u0000')
    ? value.text
    : `${basePath(context)}/${value.text.replace(/^\/+/, '')}`;
  return filter === 'relative_url' ? relative : `${new URL(context.site.baseUrl).origin}${relative}`;
};

/** The path of the base URL without its trailing slash: `''` for a site at the root, `/blog` under a folder. */
const basePath = (context: ShortcodeContext): string => new URL(context.site.baseUrl).pathname.replace(/\/+$/, '');

const expandLiquidTag = (token: string, line: number): Expansion => {
  if (!token.endsWith('%}') || token.length < 4) return fail(line, '"{%" is never closed on this line.', liquidFix);
  const inner = token.slice(2, -2).replace(/^-/, '').replace(/-$/, '').trim();
  const [name = '', ...args] = inner.split(/\s+/);
  if (name === 'raw' || name === 'comment') return { text: '', open: { kind: name, language: '' } };
  if (name === 'highlight') {
    const language = args[0] ?? '';
    if (!/^[\w+#.-]*$/.test(language)) return fail(line, `"${shorten(language)}" is not a language name.`, liquidFix);
    return { text: '', open: { kind: 'highlight', language } };
  }
  if (/^end(raw|comment|highlight)$/.test(name)) {
    return fail(line, `{% ${name} %} has no matching opening tag.`, 'Remove it or add the opening tag before it.');
  }
  return fail(line, `The Liquid tag {% ${shorten(name || inner)} %} is not supported.`, liquidFix);
};

const closeBlock = (out: string, block: OpenBlock): string => {
  if (block.kind === 'raw') return out + block.text;
  if (block.kind === 'comment') return out;
  const code = block.text.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
  const longestRun = Math.max(2, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const lineStart = out === '' || out.endsWith('\n') ? '' : '\n';
  // The closing fence must end its line, even when text follows the end tag.
  return `${out}${lineStart}${fence}${block.language}\n${code}\n${fence}\n`;
};

// ---------------------------------------------------------------- escaping

const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const escapeAttribute = (text: string): string => escapeText(text).replace(/"/g, '&quot;');

/** Text dropped into Markdown must stay text: ASCII punctuation becomes character references Markdown decodes. */
const escapeForMarkdown = (text: string): string =>
  text.replace(/[!-/:-@[-`{-~]/g, (char) => `&#${char.charCodeAt(0)};`);

const encodeUnsafeUrlCharacters = (url: string): string =>
  url.replace(/[\s<>"'`\\]/g, (char) => encodeURIComponent(char));
