import { findCodeLines } from './markdown.ts';
import { expandHugoShortcodes, fencedCode } from './templating/hugo-shortcodes.ts';
import type { BodyProblem, TemplateContext } from './templating/template-context.ts';
import type { SiteConfig } from './types.ts';

/**
 * Hugo shortcodes and Jekyll Liquid, expanded in the Markdown source before it is rendered. Only what a newsletter
 * post needs is supported; anything else is reported, and never left in the output as template text.
 * Code (fenced and indented blocks, inline code spans) is an example and is left exactly as written.
 */

export type ShortcodeContext = TemplateContext & {
  site: Pick<SiteConfig, 'baseUrl' | 'title' | 'description' | 'iframeHosts'>;
};

export type { BodyProblem };

const SUPPORTED_LIQUID =
  '{{ site.url }}, {{ site.baseurl }}, {{ site.title }}, {{ page.title }}, the relative_url and absolute_url filters, ' +
  'and the raw, highlight and comment tags';

/** One template tag or code span found on a line; code spans are kept as they are. */
const TOKEN = /(`+)[^`]*?\1(?!`)|\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{\{|\{%/g;

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
  if (token.startsWith('{{')) return expandLiquidOutput(token, line, context);
  return expandLiquidTag(token, line);
};

const shorten = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

const fail = (line: number, message: string, fix: string): Expansion => ({
  text: '',
  problem: { line, message, fix, severity: 'error' },
});

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
  const lineStart = out === '' || out.endsWith('\n') ? '' : '\n';
  // The closing fence must end its line, even when text follows the end tag.
  return `${out}${lineStart}${fencedCode(block.text, block.language)}\n`;
};

// ---------------------------------------------------------------- escaping

/** Text dropped into Markdown must stay text: ASCII punctuation becomes character references Markdown decodes. */
const escapeForMarkdown = (text: string): string =>
  text.replace(/[!-/:-@[-`{-~]/g, (char) => `&#${char.charCodeAt(0)};`);

const encodeUnsafeUrlCharacters = (url: string): string =>
  url.replace(/[\s<>"'`\\]/g, (char) => encodeURIComponent(char));
