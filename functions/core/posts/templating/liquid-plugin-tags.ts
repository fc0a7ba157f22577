import type * as LiquidModule from 'liquidjs';
import type { Context, Emitter, Liquid, TagToken, Template, TopLevelToken } from 'liquidjs';
import type { includeDepthGuard } from './liquid-limits.ts';
import type { BodyProblem } from './template-context.ts';

/**
 * Tags of Jekyll plugins (`{% ghi 123 %}`, `{% youtube abc %}`, `{% gist user/id %}`, a block such as
 * `{% callout %}…{% endcallout %}`), which this site cannot run. Jekyll itself fails the build on a tag it does not
 * know; the aim here is the page as it looks with its plugin. A site can give a tag a small Liquid template,
 * `_includes/tags/<name>.html`, whose output is kept: it sees the tag's text as `include.args`, each word (a quoted
 * text is one word) as `include.arg1`, `include.arg2`, …, each `name=value` as `include.name`, and a block's
 * rendered inside as `include.content`. Without one the tag renders nothing (a block keeps its inside), with one
 * warning per tag name.
 *
 * Nothing must still not break the Markdown around it: what a tag leaves empty is marked, and tidyEmptyOutput
 * then takes the line out if nothing else is on it (a blank line would end a paragraph or list item, and turn the
 * indented line after it into code), keeps the line's indentation where the tag began it, and gives a reference
 * definition left without its URL an empty one (`<>`), so it does not show as text.
 */

/** Stands for "a tag rendered nothing here" until tidyEmptyOutput; a private-use character, never in text. */
export const EMPTY_OUTPUT = '\uE002';

type DepthGuard = ReturnType<typeof includeDepthGuard>;

/**
 * Registers every tag the sources (the post, its includes and tag templates) use that the engine does not know, and
 * gives back the warnings once rendered (an include's tags are read when it is rendered).
 * @example registerPluginTags(liquidjs, engine, ['{% ghi 1 %}'], {}, guard).warnings()[0].message // '… {% ghi %} …'
 */
export const registerPluginTags = (
  liquidjs: typeof LiquidModule,
  engine: Liquid,
  sources: readonly string[],
  includes: Record<string, string>,
  guard: DepthGuard,
): { warnings: () => BodyProblem[] } => {
  const uses: Uses = new Map();
  const blocks = new Set<string>();
  const source = sources.join('\n');
  for (const found of source.matchAll(/\{%-?\s*([A-Za-z_]\w*)/g)) {
    const name = found[1] ?? '';
    if (name in engine.tags || /^end/.test(name) || name in NOT_TAGS) continue;
    const isBlock = new RegExp(`\\{%-?\\s*end${name}\\b`).test(source);
    const template = includes[`tags/${name}.html`];
    if (isBlock) blocks.add(name);
    engine.registerTag(name, pluginTag(liquidjs, name, isBlock, template, guard, uses));
  }
  return {
    warnings: () =>
      [...uses].map(([name, { lines, files }]) => ({
        line: lines[0] ?? 1,
        message: `The Liquid tag {% ${name} %}${where(lines, files)} comes from a Jekyll plugin this site does not run, so it renders nothing${blocks.has(name) ? ' but its inside' : ''}.`,
        fix: `Give it a template: upload _includes/tags/${name}.html beside the posts; it gets the tag's text as {{ include.args }}, each word as {{ include.arg1 }}, {{ include.arg2 }}, …, each name=value as {{ include.name }} (and a block's inside as {{ include.content }}). Or replace the tag with the text or link it stood for.`,
        severity: 'warning' as const,
      })),
  };
};

/** Names that follow `{%` without being tags of their own. */
const NOT_TAGS = { else: 1, elsif: 1, when: 1, break: 1, continue: 1 };

/** Where each unknown tag is used: lines of the post (an include's tags count on the include's line), and files. */
type Uses = Map<string, { lines: number[]; files: Set<string> }>;

/** ` (lines 1, 2 and 4, in _includes/a.html)`, or nothing for one use on one line of the post. */
const where = (lines: readonly number[], files: ReadonlySet<string>): string => {
  const unique = [...new Set(lines)];
  const parts = [
    ...(unique.length > 1
      ? [
          `lines ${unique.length === 2 ? unique.join(' and ') : `${unique.slice(0, -1).join(', ')} and ${unique.at(-1)}`}`,
        ]
      : []),
    ...(files.size > 0 ? [`in ${[...files].map((file) => `_includes/${file}`).join(', ')}`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
};

const pluginTag = (
  liquidjs: typeof LiquidModule,
  name: string,
  isBlock: boolean,
  template: string | undefined,
  guard: DepthGuard,
  uses: Uses,
) => {
  let parsed: Template[] | undefined;
  const templateOf = (liquid: Liquid): Template[] => {
    if (parsed === undefined) {
      try {
        parsed = liquid.parse(template ?? '', `tags/${name}.html`);
      } catch (error) {
        throw new Error(`the tag template _includes/tags/${name}.html cannot be read (${(error as Error).message})`);
      }
    }
    return parsed;
  };
  return class extends liquidjs.Tag {
    private readonly args: string;
    private readonly argsTemplate: Template[] | undefined;
    private readonly inner: Template[] | undefined;
    private readonly line: number;
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      const line = token.getPosition()[0] ?? 1;
      this.line = line;
      this.args = token.args.trim();
      // A plugin reads its text as it likes; many run Liquid over it first ({% ghi {{ page.issue }} %}).
      this.argsTemplate = this.args.includes('{{') ? liquid.parse(this.args) : undefined;
      if (isBlock) {
        const inner: Template[] = [];
        let closed = false;
        while (remain.length > 0) {
          const next = remain.shift() as TopLevelToken;
          if ('name' in next && next.name === `end${name}`) {
            closed = true;
            break;
          }
          inner.push(liquid.parser.parseToken(next, remain));
        }
        if (!closed) throw new Error(`tag {% ${name} %} not closed, line:${line}`);
        this.inner = inner;
      }
      if (template === undefined) {
        const use = uses.get(name) ?? { lines: [], files: new Set<string>() };
        // An include's tags are read as it renders, so the post's line is the include's that is rendering.
        const bodyLine = token.file ? guard.outermostLine() : line;
        if (token.file) use.files.add(token.file);
        if (bodyLine !== undefined) use.lines.push(bodyLine);
        uses.set(name, use);
      }
    }
    *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const renderer = this.liquid.renderer;
      const content = this.inner ? ((yield renderer.renderTemplates(this.inner, ctx)) as string) : undefined;
      if (template === undefined) {
        emitter.write(content === undefined ? EMPTY_OUTPUT : `${EMPTY_OUTPUT}${content}${EMPTY_OUTPUT}`);
        return;
      }
      const args = this.argsTemplate ? ((yield renderer.renderTemplates(this.argsTemplate, ctx)) as string) : this.args;
      const templates = templateOf(this.liquid);
      const html = yield* guard.run(`tags/${name}.html`, this.line, function* () {
        ctx.push({ include: { ...includeArguments(args), ...(content === undefined ? {} : { content }) } });
        try {
          return (yield renderer.renderTemplates(templates, ctx)) as string;
        } finally {
          ctx.pop();
        }
      });
      emitter.write(html.trim() === '' ? EMPTY_OUTPUT : html);
    }
  };
};

/**
 * A tag's text as its template sees it.
 * @example includeArguments('user/1a2b "a file.rb" height=300') // { args: …, arg1: 'user/1a2b', arg2: 'a file.rb', height: '300' }
 */
export const includeArguments = (args: string): Record<string, string> => {
  const scope: Record<string, string> = { args };
  let position = 0;
  for (const found of args.matchAll(/([A-Za-z_][\w-]*)=("[^"]*"|'[^']*'|\S*)|"([^"]*)"|'([^']*)'|(\S+)/g)) {
    if (found[1] !== undefined) scope[found[1]] = unquote(found[2] ?? '');
    else scope[`arg${++position}`] = found[3] ?? found[4] ?? found[5] ?? '';
  }
  return scope;
};

const unquote = (value: string): string => (/^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value);

/**
 * Takes the marks of empty tags out of rendered Markdown, keeping the Markdown around them as it was.
 * @example tidyEmptyOutput('- item\n  \uE002\n      more') // '- item\n      more'
 */
export const tidyEmptyOutput = (markdown: string): string => {
  if (!markdown.includes(EMPTY_OUTPUT)) return markdown;
  const mark = EMPTY_OUTPUT;
  return (
    markdown
      // A line left with nothing but the mark goes, so the lines around it stay one block.
      .replace(new RegExp(`^[ \\t]*${mark}[ \\t${mark}]*(?:\\n|$)`, 'gm'), '')
      // A reference definition whose URL was the tag's output keeps an empty one.
      .replace(new RegExp(`^( {0,3}\\[[^\\]\\n]+\\]:[ \\t]*)${mark}[ \\t${mark}]*$`, 'gm'), '$1<>')
      // At the end of a line, the spaces before it go too (two would make a line break).
      .replace(new RegExp(`[ \\t]*${mark}[ \\t${mark}]*$`, 'gm'), '')
      // Before closing punctuation, the space before it goes: "see {% ghi 1 %}." reads "see.".
      .replace(new RegExp(`(?<=\\S)[ \\t]+${mark}+(?=[.,;:!?)\\]])`, 'g'), '')
      // Where the tag began the text of a line (or came between words), the space after it goes: the line keeps
      // its indentation and a list item's text its place.
      .replace(new RegExp(`(^|[ \\t])${mark}[${mark}]*[ \\t]+`, 'gm'), '$1')
      .replaceAll(mark, '')
  );
};
