import MarkdownIt from 'markdown-it';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';

/**
 * CommonMark plus what GitHub-flavoured posts use: tables, strikethrough, bare-URL autolinks and task lists.
 * Raw HTML is allowed here because every rendered body goes through the sanitizer afterwards.
 */
export const createMarkdown = (): MarkdownIt => {
  const md = new MarkdownIt({ html: true, linkify: true, typographer: false });
  md.core.ruler.after('inline', 'task_lists', markTaskListItems);
  return md;
};

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

const markdown = createMarkdown();

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
 * Renders a post body. A `<!--more-->` marker outside code splits off the excerpt, which is rendered on its own
 * (with the link references of the whole post, so `[text][ref]` defined further down still resolves).
 * @example renderPostBody('Intro\n\n<!--more-->\n\nRest').excerptHtml // '<p>Intro</p>\n'
 */
export const renderPostBody = (source: string): { html: string; excerptHtml?: string } => {
  const split = splitAtMoreMarker(source);
  if (!split) return { html: markdown.render(source) };
  const full = `${split.before}\n${split.after}`;
  const env: Record<string, unknown> = {};
  const html = markdown.render(full, env);
  const excerptEnv = { references: { ...((env.references as object | undefined) ?? {}) } };
  return { html, excerptHtml: markdown.render(split.before, excerptEnv) };
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
