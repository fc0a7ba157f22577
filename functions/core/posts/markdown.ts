import MarkdownIt, { type PluginSimple, type PluginWithOptions } from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import type Token from 'markdown-it/lib/token.mjs';
import abbreviations from 'markdown-it-abbr';
import anchor from 'markdown-it-anchor';
import attributes from 'markdown-it-attrs';
import definitionLists from 'markdown-it-deflist';
import { full as emoji } from 'markdown-it-emoji';
import footnotes from 'markdown-it-footnote';
import { escapeHtml } from '../html.ts';
import { COMMONMARK, type MarkdownFlavour } from './markdown-flavour.ts';

export { COMMONMARK, type MarkdownFlavour };

/**
 * A Markdown renderer for one flavour (markdown-flavour.ts): CommonMark with GitHub's extensions, plus what goldmark
 * or kramdown add by default, each done by a well-kept markdown-it plugin (footnotes, definition lists, attribute
 * lists, heading ids, emoji, abbreviations) or a small rule of its own where the generators differ from markdown-it
 * (typographic symbols, kramdown's HTML blocks and math). Raw HTML is parsed because every rendered body goes
 * through the sanitizer afterwards.
 */
export const createMarkdown = (flavour: MarkdownFlavour = COMMONMARK): MarkdownIt => {
  const md = new MarkdownIt({
    html: true,
    linkify: true,
    typographer: flavour.typographer,
    quotes: '“”‘’',
    breaks: flavour.hardWraps,
  });
  md.core.ruler.after('inline', 'task_lists', markTaskListItems);
  if (flavour.typographer) {
    // markdown-it's own replacements also turn (c), (tm) and +- into symbols, which neither generator does.
    md.core.ruler.disable('replacements');
    if (!flavour.smartQuotes) md.core.ruler.disable('smartquotes');
    md.core.ruler.after('smartquotes', 'typographic_symbols', replaceTypographicSymbols);
  }
  if (flavour.footnotes) useFootnotes(md, flavour);
  if (flavour.definitionLists) md.use(definitionLists);
  if (flavour.abbreviations) md.use(abbreviations);
  if (flavour.emoji) md.use(emoji);
  if (flavour.engine === 'kramdown') {
    // kramdown's attribute lists open with `{:`; its header ids (`## Title {#id}`) need no colon.
    md.use(attributeLists, { leftDelimiter: '{:', rightDelimiter: '}', allowedAttributes: [] });
    md.block.ruler.at('html_block', kramdownHtmlBlock(md));
  } else if (flavour.blockAttributes) {
    md.use(attributeLists, { leftDelimiter: '{', rightDelimiter: '}', allowedAttributes: [] });
  }
  if (flavour.headingAttributes) md.core.ruler.after('inline', 'heading_attributes', readHeadingAttributes);
  if (flavour.math) {
    md.block.ruler.before('paragraph', 'kramdown_math_block', mathBlock, { alt: ['paragraph'] });
    md.inline.ruler.before('escape', 'kramdown_math', mathInline);
  }
  if (flavour.headingIds) md.use(anchor, { slugify: githubSlug, tabIndex: false });
  if (flavour.engine === 'kramdown') md.core.ruler.push('kramdown_toc', kramdownToc);
  if (!flavour.rawHtml) {
    // What Hugo writes in place of raw HTML when the site has not set markup.goldmark.renderer.unsafe.
    md.renderer.rules.html_block = () => '<!-- raw HTML omitted -->\n';
    md.renderer.rules.html_inline = () => '<!-- raw HTML omitted -->';
  }
  return md;
};

// markdown-it-attrs and -footnote type themselves against markdown-it's CommonJS typings; the plugins are the same.
const attributeLists = attributes as unknown as PluginWithOptions<{
  leftDelimiter: string;
  rightDelimiter: string;
  allowedAttributes: string[];
}>;

const TASK_PREFIX = /^\[([ xX])\][ \t]+/;

/**
 * `- [ ] todo` and `- [x] done` become list items starting with a ballot box character. A character rather than
 * a disabled checkbox, because the sanitizer removes form controls and mail clients and feed readers drop them.
 */
const markTaskListItems = (state: StateCore): void => {
  const tokens = state.tokens;
  for (let i = 2; i < tokens.length; i++) {
    const inline = tokens[i];
    const listItem = tokens[i - 2];
    if (inline?.type !== 'inline' || tokens[i - 1]?.type !== 'paragraph_open' || listItem?.type !== 'list_item_open') {
      continue;
    }
    const first = inline.children?.[0];
    const match = first?.type === 'text' ? TASK_PREFIX.exec(first.content) : null;
    if (!first || !match) continue;
    first.content = `${match[1] === ' ' ? '☐' : '☑'} ${first.content.slice(match[0].length)}`;
    listItem.attrJoin('class', 'task-list-item');
  }
};

const SYMBOLS: [RegExp, string][] = [
  [/---/g, '—'],
  [/--/g, '–'],
  [/\.\.\./g, '…'],
  [/<</g, '«'],
  [/>>/g, '»'],
];

/** goldmark's and kramdown's typographic symbols, in text outside links written as bare URLs. */
const replaceTypographicSymbols = (state: StateCore): void => {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    let insideAutolink = 0;
    for (const token of block.children) {
      if (token.type === 'link_open' && token.info === 'auto') insideAutolink++;
      else if (token.type === 'link_close' && token.info === 'auto') insideAutolink--;
      else if (token.type === 'text' && insideAutolink === 0 && /--|\.\.\.|<<|>>/.test(token.content)) {
        token.content = SYMBOLS.reduce((text, [pattern, symbol]) => text.replace(pattern, symbol), token.content);
      }
    }
  }
};

/** Footnotes numbered and linked back as goldmark and kramdown write them: `1`, not markdown-it's `[1]`. */
const useFootnotes = (md: MarkdownIt, flavour: MarkdownFlavour): void => {
  md.use(footnotes as unknown as PluginSimple);
  const rules = md.renderer.rules;
  rules.footnote_caption = (tokens, idx) => {
    const meta = tokens[idx]?.meta as { id: number; subId: number };
    return meta.subId > 0 ? `${meta.id + 1}:${meta.subId}` : `${meta.id + 1}`;
  };
  rules.footnote_block_open = () => '<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n';
  rules.footnote_block_close = () => '</ol>\n</div>\n';
  const backlink = flavour.engine === 'kramdown' ? '↩' : '↩︎';
  rules.footnote_anchor = (tokens, idx, options, env, self) => {
    const meta = tokens[idx]?.meta as { id: number; subId: number };
    let id = self.rules.footnote_anchor_name?.(tokens, idx, options, env, self) ?? `${meta.id + 1}`;
    if (meta.subId > 0) id += `:${meta.subId}`;
    return `\u00a0<a href="#fnref${id}" class="footnote-backref" role="doc-backlink">${backlink}</a>`;
  };
};

/** A heading id as GitHub (and goldmark's autoHeadingIDType "github") makes it. */
const githubSlug = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');

const HEADING_ATTRIBUTES = /\s*\{((?:\s*(?:#[\w-]+|\.[\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+)))+)\s*\}\s*$/;

/** `## Title {#id .class key=value}` (goldmark) and `## Title {#id}` (kramdown): the attributes go on the heading. */
const readHeadingAttributes = (state: StateCore): void => {
  const tokens = state.tokens;
  for (let i = 1; i < tokens.length; i++) {
    const inline = tokens[i];
    const open = tokens[i - 1];
    if (inline?.type !== 'inline' || open?.type !== 'heading_open') continue;
    const last = inline.children?.at(-1);
    const match = last?.type === 'text' ? HEADING_ATTRIBUTES.exec(last.content) : null;
    if (!last || !match?.[1]) continue;
    last.content = last.content.slice(0, match.index);
    inline.content = inline.content.replace(HEADING_ATTRIBUTES, '');
    for (const part of match[1].match(/#[\w-]+|\.[\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+)/g) ?? []) {
      if (part.startsWith('#')) open.attrSet('id', part.slice(1));
      else if (part.startsWith('.')) open.attrJoin('class', part.slice(1));
      else {
        const [name = '', ...value] = part.split('=');
        open.attrSet(name, value.join('=').replace(/^["']|["']$/g, ''));
      }
    }
  }
};

/** kramdown's block-level HTML elements: an HTML block starts with one of these and ends where it closes. */
const KRAMDOWN_BLOCK_TAGS = new Set(
  (
    'address applet article aside audio blockquote body canvas center dd details dialog div dl dt fieldset figcaption ' +
    'figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe legend li main map menu nav noscript ol ' +
    'optgroup option p pre script section style summary table tbody td tfoot th thead tr ul video'
  ).split(' '),
);
const VOID_TAGS = new Set(['hr', 'br', 'img', 'input', 'source', 'embed', 'wbr', 'col', 'area', 'meta', 'link']);

/**
 * HTML blocks as kramdown reads them: a block element's HTML runs to its matching closing tag, blank lines
 * included, and Markdown starts again on the next line (CommonMark ends the block at the first blank line instead,
 * and swallows the lines after the closing tag). A line that opens with a span element (`<img>`, `<a>`) is a
 * paragraph, not an HTML block. Comments and the other CommonMark kinds are left to markdown-it's own rule.
 */
const kramdownHtmlBlock = (md: MarkdownIt) => {
  const original = md.block.ruler.getRules('').find((rule) => rule.name === 'html_block') as
    | ((state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean)
    | undefined;
  return (state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean => {
    const start = (state.bMarks[startLine] ?? 0) + (state.tShift[startLine] ?? 0);
    if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4 || state.src.charCodeAt(start) !== 0x3c) return false;
    const line = state.src.slice(start, state.eMarks[startLine]);
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s>/]|$)/.exec(line);
    if (!tag) return original ? original(state, startLine, endLine, silent) : false;
    const name = (tag[2] ?? '').toLowerCase();
    if (!KRAMDOWN_BLOCK_TAGS.has(name)) return false;
    const last = tag[1] === '/' || VOID_TAGS.has(name) ? startLine : closingLine(state, startLine, endLine, name);
    if (last === undefined) return original ? original(state, startLine, endLine, silent) : false;
    if (silent) return true;
    state.line = last + 1;
    const token = state.push('html_block', '', 0);
    token.map = [startLine, state.line];
    token.content = state.getLines(startLine, state.line, state.blkIndent, true);
    return true;
  };
};

/** The line where the element `name` opened on `startLine` closes, counting nested elements of the same name. */
const closingLine = (state: StateBlock, startLine: number, endLine: number, name: string): number | undefined => {
  const pattern = new RegExp(`<(/?)${name}(?=[\\s>/])[^>]*?(/?)>`, 'gi');
  let depth = 0;
  for (let line = startLine; line < endLine; line++) {
    const text = state.src.slice(state.bMarks[line], state.eMarks[line]);
    for (const match of text.matchAll(pattern)) {
      if (match[1] === '/') depth--;
      else if (match[2] !== '/') depth++;
      if (depth === 0) return line;
    }
  }
  return undefined;
};

/** kramdown's display math: a paragraph of `$$ … $$` alone, written out as `\[ … \]` for MathJax. */
const mathBlock = (state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean => {
  const start = (state.bMarks[startLine] ?? 0) + (state.tShift[startLine] ?? 0);
  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4 || !state.src.startsWith('$$', start)) return false;
  const lineOf = (line: number) => state.src.slice(state.bMarks[line], state.eMarks[line]).trim();
  // The closing `$$` ends the first line (`$$x$$`) or a later one; a blank line first means it is no math block.
  let last = lineOf(startLine).length >= 4 && lineOf(startLine).endsWith('$$') ? startLine : startLine + 1;
  while (last < endLine && lineOf(last) !== '' && !lineOf(last).endsWith('$$')) last++;
  if (last >= endLine || !lineOf(last).endsWith('$$')) return false;
  const text = state.getLines(startLine, last + 1, state.blkIndent, false).trim();
  if (silent) return true;
  state.line = last + 1;
  const token = state.push('html_block', '', 0);
  token.map = [startLine, state.line];
  token.content = `\\[${escapeHtml(text.slice(2, -2).trim())}\\]\n`;
  return true;
};

/** kramdown's inline math, `$$ … $$` inside a line, written out as `\( … \)`. */
const mathInline = (state: StateInline, silent: boolean): boolean => {
  if (!state.src.startsWith('$$', state.pos)) return false;
  const end = state.src.indexOf('$$', state.pos + 2);
  if (end === -1 || end === state.pos + 2) return false;
  if (!silent) {
    const token = state.push('text', '', 0);
    token.content = `\\(${state.src.slice(state.pos + 2, end).trim()}\\)`;
  }
  state.pos = end + 2;
  return true;
};

/** kramdown's table of contents: a one-item list marked `{:toc}` becomes a nested list of the headings. */
const kramdownToc = (state: StateCore): void => {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i];
    if (!open || !/^(bullet|ordered)_list_open$/.test(open.type) || open.attrGet('toc') === null) continue;
    const close = tokens.findIndex((token, at) => at > i && token.type === open.type.replace('open', 'close'));
    if (close === -1) continue;
    const toc = new state.Token('html_block', '', 0);
    toc.content = renderToc(tokens);
    tokens.splice(i, close - i + 1, toc);
  }
};

const renderToc = (tokens: Token[]): string => {
  const items = tokens.flatMap((token, index) => {
    if (token.type !== 'heading_open') return [];
    const text = tokens[index + 1]?.content ?? '';
    return [{ level: Number(token.tag.slice(1)), id: token.attrGet('id') ?? '', text }];
  });
  if (items.length === 0) return '';
  // Each item's list of deeper headings goes inside it, as kramdown nests them.
  const base = Math.min(...items.map((item) => item.level));
  let html = '<ul>\n';
  let depth = 1;
  items.forEach((item, index) => {
    html += `<li><a href="#${escapeHtml(item.id)}">${escapeHtml(item.text)}</a>`;
    const next = items[index + 1];
    const nextDepth = next ? next.level - base + 1 : 1;
    if (nextDepth > depth) {
      html += '\n<ul>\n'.repeat(nextDepth - depth);
      depth = nextDepth;
      return;
    }
    html += '</li>\n';
    while (depth > Math.max(nextDepth, 1)) {
      html += '</ul>\n</li>\n';
      depth--;
    }
  });
  return `${html}</ul>\n`;
};

const renderers = new Map<string, MarkdownIt>();

/** One renderer per flavour, made when a post first needs it. */
const markdownFor = (flavour: MarkdownFlavour): MarkdownIt => {
  const key = JSON.stringify(flavour);
  let md = renderers.get(key);
  if (!md) {
    md = createMarkdown(flavour);
    renderers.set(key, md);
  }
  return md;
};

const markdown = markdownFor(COMMONMARK);

/**
 * Zero-based numbers of the lines that belong to fenced or indented code blocks: their text is an example and must
 * be left exactly as written.
 */
export const findCodeLines = (source: string): Set<number> => {
  const lines = new Set<number>();
  for (const token of markdown.parse(source, {})) {
    if ((token.type === 'fence' || token.type === 'code_block') && token.map) {
      for (let line = token.map[0]; line < token.map[1]; line++) lines.add(line);
    }
  }
  return lines;
};

const MORE_MARKER = /<!--\s*more\s*-->/i;

/**
 * Renders a post body in its flavour. A `<!--more-->` marker outside code splits off the excerpt, which is rendered
 * on its own (with the link references of the whole post, so `[text][ref]` defined further down still resolves).
 * @example renderPostBody('Intro\n\n<!--more-->\n\nRest').excerptHtml // '<p>Intro</p>\n'
 */
export const renderPostBody = (
  source: string,
  flavour: MarkdownFlavour = COMMONMARK,
): { html: string; excerptHtml?: string } => {
  const md = markdownFor(flavour);
  const split = splitAtMoreMarker(source);
  if (!split) return { html: md.render(source) };
  const full = `${split.before}\n${split.after}`;
  const env: Record<string, unknown> = {};
  const html = md.render(full, env);
  const excerptEnv = { references: { ...((env.references as object | undefined) ?? {}) } };
  return { html, excerptHtml: md.render(split.before, excerptEnv) };
};

/** A line that could open or belong to a code block: a fence, or indentation of four columns. */
const MAYBE_CODE_LINE = /^(?: {0,3}(?:`{3,}|~{3,})| {4,}|\t)/m;

const splitAtMoreMarker = (source: string): { before: string; after: string } | undefined => {
  // Finding code lines costs a full parse: skip it for posts with no marker, and for posts where nothing up to
  // the first marker could be code (the usual case: the marker follows an opening paragraph or two).
  const first = MORE_MARKER.exec(source);
  if (!first) return undefined;
  const upToMarker = source.slice(0, source.indexOf('\n', first.index) + 1 || source.length);
  const codeLines = MAYBE_CODE_LINE.test(upToMarker) ? findCodeLines(source) : new Set<number>();
  const lines = source.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const match = codeLines.has(index) ? null : MORE_MARKER.exec(line);
    if (!match) continue;
    const before = [...lines.slice(0, index), line.slice(0, match.index)].join('\n');
    const after = [line.slice(match.index + match[0].length), ...lines.slice(index + 1)].join('\n');
    return { before, after };
  }
  return undefined;
};

/**
 * Renders one line of Markdown without a wrapping paragraph, for captions and other short text.
 * @example renderInlineMarkdown('a *b*') // 'a <em>b</em>'
 */
export const renderInlineMarkdown = (source: string): string => markdown.renderInline(source);

/**
 * Hugo's markdownify: Markdown rendered, without the paragraph around text that is one paragraph only.
 * @example renderMarkdownify('a *b*') // 'a <em>b</em>'
 */
export const renderMarkdownify = (source: string): string => {
  const html = markdown.render(source).trim();
  const single = /^<p>([\s\S]*)<\/p>$/.exec(html);
  return single?.[1] !== undefined && !single[1].includes('<p>') ? single[1] : html;
};
