import { createRequire } from 'node:module';
import type * as LiquidModule from 'liquidjs';
import type { Context, Emitter, Liquid, TagToken, Template, TopLevelToken, Variable } from 'liquidjs';
import { describeError } from '../../errors.ts';
import { lineLocator } from '../../line-locator.ts';
import { renderMarkdownify } from '../markdown.ts';
import { fencedCode } from './hugo-shortcodes.ts';
import {
  countRendering,
  DEFAULT_LIQUID_LIMITS,
  includeDepthGuard,
  type LiquidLimits,
  limitOf,
  liquidLimitOptions,
} from './liquid-limits.ts';
import { EMPTY_OUTPUT, registerPluginTags, tidyEmptyOutput } from './liquid-plugin-tags.ts';
import { createPageLinker } from './page-links.ts';
import { type BodyProblem, resolvePostReference, type TemplateContext } from './template-context.ts';

/**
 * Jekyll's Liquid over a post body, through liquidjs (Shopify's dialect, with Jekyll's include syntax): the `site`
 * variables of the site's `_config.yml` and settings, the `page` variables of the front matter, and Jekyll's own
 * tags and filters (link, post_url, highlight, include, relative_url, absolute_url, markdownify). Where Jekyll
 * would render something empty (a variable the site cannot have, an include that was not uploaded), the output is
 * empty too and the author gets a warning naming the line; a plugin's tag renders what the site's
 * `_includes/tags/<name>.html` gives, or nothing (liquid-plugin-tags.ts). Only Liquid that cannot be read at all
 * (an unclosed tag) is an error, as it fails a Jekyll build, and Liquid that goes past its budgets
 * (liquid-limits.ts): a runaway loop rejects its own post, never the batch.
 *
 * One decision differs from Jekyll: Markdown code (fences, indented blocks, code spans) is shown as written. A
 * Jekyll author who shows template code wraps it in raw; without raw, Jekyll would have broken their own page.
 */

/*
 * liquidjs is loaded when a post first needs it, not with this module: most posts have no Liquid, and loading it
 * costs every parse thread and every cold start about 40 ms. Async callers preload it (the import() below is
 * what bundlers follow); synchronous ones that did not fall back to require, which works wherever node_modules is.
 */
let liquidjs: typeof LiquidModule | undefined;
const requireHere = createRequire(import.meta.url);

/** Loads liquidjs ahead of a synchronous parse that may need it; cheap once loaded. */
export const preloadLiquid = async (): Promise<void> => {
  liquidjs ??= await import('liquidjs');
};

const loadLiquid = (): typeof LiquidModule => {
  liquidjs ??= requireHere('liquidjs') as typeof LiquidModule;
  return liquidjs;
};

/** Whether a body may hold Liquid (a cheap test, for deciding to preload). */
export const mayHoldLiquid = (text: string | Uint8Array): boolean => {
  const source = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  return source.includes('{%') || source.includes('{{');
};

export type LiquidPage = {
  /** The post's public URL, for `page.url`. */
  url?: string;
  date?: Date;
};

/**
 * @example renderJekyllLiquid('{{ site.url }}', context, []).markdown // 'https://notes.example'
 */
export const renderJekyllLiquid = (
  body: string,
  context: TemplateContext,
  codeRanges: readonly [number, number][],
  page: LiquidPage = {},
  limits: LiquidLimits = DEFAULT_LIQUID_LIMITS,
): { markdown: string; problems: BodyProblem[] } => {
  const problems: BodyProblem[] = [];
  const warn = (line: number, message: string, fix: string) =>
    problems.push({ line, message, fix, severity: 'warning' });
  const { masked, restore } = maskCode(body, codeRanges);
  const lineOf = lineLocator(masked);
  const includes = { ...(context.content?.includes ?? {}) };
  const liquidjs = loadLiquid();
  const engine = new liquidjs.Liquid({
    jekyllInclude: true,
    dynamicPartials: false,
    templates: includes,
    // An include rendered in a loop is parsed once, so parseLimit counts the text read, not the iterations.
    cache: true,
    ...(context.site.timeZone ? { timezoneOffset: context.site.timeZone } : {}),
    preserveTimezones: true,
    greedy: false,
    ...liquidLimitOptions(limits),
  });
  countRendering(engine, limits);
  const guard = includeDepthGuard(limits);
  registerJekyll(engine, context, problems, guard);

  // Jekyll renders an include it cannot find as a build error; here it is left out, with a warning.
  for (const found of masked.matchAll(/\{%-?\s*include(?:_relative)?\s+([^\s%]+)/g)) {
    const name = found[1] ?? '';
    if (name in includes || name.includes('{{')) continue;
    includes[name] = EMPTY_OUTPUT;
    warn(
      lineOf(found.index),
      `The include "${name}" was not uploaded, so it is left out of the post.`,
      `Upload it as _includes/${name} beside the posts, or remove the {% include %} tag.`,
    );
  }
  // A plugin's tag (seo, gist, ghi, …) renders nothing here, or what the site's _includes/tags/<name>.html gives.
  const pluginTags = registerPluginTags(liquidjs, engine, [masked, ...Object.values(includes)], includes, guard);

  // A filter Liquid does not know passes its value through unchanged, as in Jekyll.
  for (const tag of masked.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)) {
    const unquoted = tag[0].replace(/"[^"]*"|'[^']*'/g, (quoted) => ' '.repeat(quoted.length));
    for (const found of unquoted.matchAll(/\|\s*([A-Za-z_]\w*)/g)) {
      const name = found[1] ?? '';
      if (name in engine.filters) continue;
      engine.registerFilter(name, (value: unknown) => value);
      warn(
        lineOf(tag.index + found.index),
        `The Liquid filter "${name}" is not one this site knows, so the value is shown without it.`,
        'Remove the filter, or use one of Liquid’s or Jekyll’s standard filters.',
      );
    }
  }

  let templates: Template[];
  try {
    templates = engine.parse(masked);
  } catch (error) {
    return { markdown: restore(body), problems: [liquidProblem(error, masked, limits)] };
  }
  const scope = scopeOf(context, page);
  for (const reference of unresolvedVariables(engine, templates, scope)) {
    warn(
      reference.line,
      `{{ ${reference.name} }} has no value here, so it renders empty (as Jekyll renders an unset variable).`,
      JEKYLL_BUILT.test(reference.name)
        ? 'This site does not build Jekyll’s lists of pages, posts or data; write out the links or text they would give.'
        : reference.name.startsWith('site.')
          ? `Add ${reference.name.slice(5).split('.')[0]} to the _config.yml uploaded beside the posts, or remove it from the post.`
          : `Add ${reference.name.replace(/^page\./, '').split('.')[0]} to the front matter, or remove it from the post.`,
    );
  }
  try {
    const markdown = restore(tidyEmptyOutput(engine.renderSync(templates, scope) as string));
    return { markdown, problems: [...problems, ...pluginTags.warnings()].sort((a, b) => a.line - b.line) };
  } catch (error) {
    const problem = liquidProblem(error, masked, limits);
    const failed = { ...problem, line: guard.outermostLine() ?? problem.line };
    return { markdown: restore(body), problems: [...problems, ...pluginTags.warnings(), failed] };
  }
};

// ---------------------------------------------------------------- scope

/** What Jekyll computes from the whole site, which a post published on its own cannot have. */
const JEKYLL_BUILT =
  /^site\.(pages|posts|documents|collections|data|static_files|html_pages|html_files|categories|tags|related_posts)\b/;

const scopeOf = (context: TemplateContext, page: LiquidPage): Record<string, unknown> => {
  const base = new URL(context.site.baseUrl);
  const params = context.page?.params ?? {};
  return {
    site: {
      ...(context.content?.jekyll ?? {}),
      url: base.origin,
      baseurl: basePathOf(context),
      title: context.site.title,
      description: context.site.description,
      ...(context.site.language ? { lang: context.site.language } : {}),
    },
    page: {
      ...params,
      title: context.pageTitle,
      ...(page.date ? { date: page.date } : {}),
      ...(page.url ? { url: new URL(page.url).pathname } : {}),
      ...(context.page ? { path: context.page.sourcePath } : {}),
    },
  };
};

/** The path of the base URL without its trailing slash: `''` for a site at the root, `/blog` under a folder. */
const basePathOf = (context: TemplateContext): string => new URL(context.site.baseUrl).pathname.replace(/\/+$/, '');

/** Global variables the template reads (outside loops and assigns) that the scope does not have. */
const unresolvedVariables = (
  engine: Liquid,
  templates: Template[],
  scope: Record<string, unknown>,
): { name: string; line: number }[] => {
  let globals: Record<string, Variable[]>;
  try {
    globals = engine.analyzeSync(templates, { partials: false }).globals;
  } catch {
    return [];
  }
  const missing: { name: string; line: number }[] = [];
  for (const references of Object.values(globals)) {
    for (const reference of references) {
      const path = [reference.segments[0], ...reference.segments.slice(1)];
      if (!path.every((segment) => typeof segment === 'string' || typeof segment === 'number')) continue;
      if (path[0] === 'include' || path[0] === 'forloop') continue;
      if (resolves(scope, path as (string | number)[])) continue;
      missing.push({ name: String(reference), line: reference.location.row });
    }
  }
  return missing.sort((a, b) => a.line - b.line);
};

const resolves = (scope: unknown, path: (string | number)[]): boolean => {
  let value: unknown = scope;
  for (const segment of path) {
    if (value === null || value === undefined) return false;
    if ((segment === 'size' || segment === 'first' || segment === 'last') && typeof value === 'object') return true;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value !== undefined && value !== null;
};

// ---------------------------------------------------------------- Jekyll's tags and filters

const registerJekyll = (
  engine: Liquid,
  context: TemplateContext,
  problems: BodyProblem[],
  guard: ReturnType<typeof includeDepthGuard>,
): void => {
  const { Tag, IncludeTag } = loadLiquid();
  /** Jekyll's include, one level deeper each time, up to the limit. */
  engine.registerTag(
    'include',
    class extends IncludeTag {
      override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
        const file = (this as unknown as { file?: unknown }).file;
        const line = this.token.getPosition()[0] ?? 1;
        yield* guard.run(typeof file === 'string' ? file : 'an include', line, () => super.render(ctx, emitter));
      }
    },
  );
  const basePath = basePathOf(context);
  const origin = new URL(context.site.baseUrl).origin;
  const relative = (value: unknown): string => {
    const text = String(value ?? '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('//')) return text;
    if (basePath !== '' && (text === basePath || text.startsWith(`${basePath}/`))) return text;
    return `${basePath}/${text.replace(/^\/+/, '')}`;
  };
  /** A URL of this site as Jekyll writes its own links: the path from the host, with the anchor. */
  const sitePath = (url: string): string => new URL(url).pathname + new URL(url).hash;
  engine.registerFilter('relative_url', relative);
  engine.registerFilter('absolute_url', (value: unknown) => {
    const path = relative(value);
    return path.startsWith('/') && !path.startsWith('//') ? `${origin}${path}` : path;
  });
  engine.registerFilter('markdownify', (value: unknown) => renderMarkdownify(String(value ?? '')));
  engine.registerFilter('smartify', (value: unknown) => String(value ?? ''));

  /**
   * `{% link _posts/2017-01-18-x.markdown %}` and `{% post_url 2017-01-18-x %}`: the path of another post; link
   * also names pages of the author's site (`{% link about.md %}`), which are linked where Jekyll puts them.
   */
  const linkPage = createPageLinker(context);
  const referenceTag = (kind: 'link' | 'post_url') =>
    class extends Tag {
      private readonly target: string;
      private readonly line: number;
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
        super(token, remain, liquid);
        this.target = token.args.trim();
        this.line = token.getPosition()[0] ?? 1;
      }
      render(): string {
        const written = `{% ${kind} ${this.target} %}`;
        if (kind === 'link') {
          const linked = linkPage({ target: this.target, generator: 'jekyll', written, line: this.line });
          problems.push(...linked.problems);
          if (linked.url === '' || !linked.url.startsWith(context.site.baseUrl)) return linked.url;
          return sitePath(linked.url);
        }
        const url = resolvePostReference(this.target, context);
        if (url === undefined) {
          problems.push({
            line: this.line,
            message: `${written} names a post that is not in the site.`,
            fix: 'Check the file name (as Jekyll writes it: 2017-01-18-title), or upload that post.',
            severity: 'error',
          });
          return '';
        }
        // As in Jekyll 4, link includes the base path and post_url does not (authors prefix site.baseurl).
        const path = sitePath(url);
        return basePath !== '' ? path.slice(basePath.length) : path;
      }
    };
  engine.registerTag('link', referenceTag('link'));
  engine.registerTag('post_url', referenceTag('post_url'));

  /** `{% highlight ruby linenos %}…{% endhighlight %}`: a fenced code block of the rendered inner text. */
  engine.registerTag(
    'highlight',
    class extends Tag {
      private readonly language: string;
      private readonly inner: Template[] = [];
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
        super(token, remain, liquid);
        this.language = /^[\w+#.-]*/.exec(token.args.trim())?.[0] ?? '';
        let closed = false;
        while (remain.length > 0) {
          const next = remain.shift() as TopLevelToken;
          if ('name' in next && next.name === 'endhighlight') {
            closed = true;
            break;
          }
          this.inner.push(liquid.parser.parseToken(next, remain));
        }
        if (!closed) throw new Error(`tag {% highlight %} not closed, line:${token.getPosition()[0]}`);
      }
      *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
        const text = (yield this.liquid.renderer.renderTemplates(this.inner, ctx)) as string;
        emitter.write(`\n${fencedCode(text, this.language)}\n`);
      }
    },
  );
};

/** What stopped the Liquid: a budget it ran out of, or Liquid that cannot be read. */
const liquidProblem = (error: unknown, source: string, limits: LiquidLimits): BodyProblem => {
  const message = describeError(error);
  const line = Math.min(Number(/line:(\d+)/.exec(message)?.[1] ?? 1), source.split('\n').length);
  const limit = limitOf(error);
  if (limit) {
    return {
      line,
      message: `The Liquid in this post goes beyond what one post may use: ${limit.reason ?? LIMIT_REASONS[limit.limit](limits)}. The post is not published.`,
      fix: 'Loop over fewer items, stop an include that includes itself, or write the repeated text out: each post’s Liquid has a budget, so that one post cannot hold up the others.',
      severity: 'error',
    };
  }
  const what = message.replace(/,?\s*line:\d+,?\s*(col:\d+)?/, '').replace(/\s+$/, '');
  return {
    line,
    message: `The Liquid in this post cannot be read: ${what}.`,
    fix: 'Correct the Liquid on that line (every {% if %}, {% for %} and {% raw %} needs its end tag); to show template code as is, put it in a code block or between {% raw %} and {% endraw %}.',
    severity: 'error',
  };
};

const LIMIT_REASONS: Record<keyof LiquidLimits, (limits: LiquidLimits) => string> = {
  parseCharacters: (limits) =>
    `the post and its includes hold more than ${limits.parseCharacters.toLocaleString('en')} characters of Liquid`,
  memoryUnits: (limits) =>
    `its ranges and filters build more than ${limits.memoryUnits.toLocaleString('en')} items or characters (a loop over a huge range, or text doubled again and again)`,
  renderSteps: (limits) => `it takes more than ${limits.renderSteps.toLocaleString('en')} steps`,
  outputCharacters: (limits) => `it writes more than ${limits.outputCharacters.toLocaleString('en')} characters`,
  includeDepth: (limits) => `includes go more than ${limits.includeDepth} deep`,
  renderMilliseconds: (limits) => `it takes longer than ${limits.renderMilliseconds} ms to render`,
};

// ---------------------------------------------------------------- code, kept as written

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

/** Replaces each code range with a marker (keeping its line count) and gives back the function that restores them. */
const maskCode = (
  body: string,
  ranges: readonly [number, number][],
): { masked: string; restore: (text: string) => string } => {
  if (ranges.length === 0) return { masked: body, restore: (text) => text };
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const pieces: string[] = [];
  let masked = '';
  let at = 0;
  for (const [start, end] of sorted) {
    if (start < at) continue;
    const code = body.slice(start, end);
    masked += body.slice(at, start) + MARK_OPEN + pieces.length + MARK_CLOSE + '\n'.repeat(countNewlines(code));
    pieces.push(code);
    at = end;
  }
  masked += body.slice(at);
  const marker = new RegExp(`${MARK_OPEN}(\\d+)${MARK_CLOSE}(\\n*)`, 'g');
  const restore = (text: string): string =>
    text === body
      ? body
      : text.replace(marker, (_all, index: string, newlines: string) => {
          const code = pieces[Number(index)] ?? '';
          const wanted = countNewlines(code);
          return code + '\n'.repeat(Math.max(0, newlines.length - wanted));
        });
  return { masked, restore };
};

const countNewlines = (text: string): number => text.split('\n').length - 1;
