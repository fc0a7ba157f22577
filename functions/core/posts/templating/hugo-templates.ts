import { postSourceUrl } from '../../paths.ts';
import { renderMarkdownify } from '../markdown.ts';
import { executeTemplate, TemplateBudget, type TemplateFunction, type TemplateLimits } from './go/execute.ts';
import { formatValue } from './go/format.ts';
import { GoTime, toTime, type Zone } from './go/time.ts';
import { GoFloat, GoNil, GoStruct, GoTemplateError, isMap, isNumber, numberOf, SafeHtml } from './go/values.ts';
import { compileGoTemplate, runGoTemplate } from './go-template.ts';
import { createScratch } from './hugo-functions/collections.ts';
import type { FunctionContext } from './hugo-functions/context.ts';
import { toText } from './hugo-functions/convert.ts';
import { createHugoFunctions } from './hugo-functions/index.ts';
import { createPageLinker } from './page-links.ts';
import { pageResources } from './page-resources.ts';
import type { ShortcodeParams } from './shortcode-syntax.ts';
import type { TemplateContext } from './template-context.ts';

/**
 * The Hugo side of a post's templates: one session per post holds the budget all its templates share, the function
 * table, the warnings (each once), the page's Scratch, and the objects templates read: `.Page` (title, dates,
 * permalink, params, file, resources), `.Site` (title, address, params, language, config) and each shortcode call
 * (`.Get`, `.Inner`, `.Params`, `.Ordinal`, `.Parent`, …).
 */

export interface HugoPageInfo {
  date?: Date;
  url?: string;
}

/** A shortcode call as the template sees it, before its output is known. */
export interface ShortcodeFrame {
  name: string;
  params: ShortcodeParams;
  ordinal: number;
  parent?: ShortcodeFrame;
  line: number;
  /** Set once the inner content has been expanded. */
  inner?: string;
  /** The template's dot, made once (a child's .Parent is its parent's dot). */
  object?: GoStruct;
}

/** Where a template was found, for messages: `layouts/shortcodes/note.html`. */
export type TemplatePath = string;

export class HugoTemplateSession {
  readonly budget: TemplateBudget;
  private readonly functions: Record<string, TemplateFunction>;
  private readonly warnings = new Map<string, number>();
  private readonly unavailable = new Set<string>();
  private readonly pageScratch = createScratch();
  private readonly zone: Zone;
  private readonly language: string;
  private readonly sourcePath: string;
  private readonly contentPath: string;
  private currentLine = 1;
  private currentTemplate: TemplatePath = '';
  private imageProcessed = false;
  private site?: GoStruct;
  private page?: GoStruct;
  private resources?: unknown[];
  private linkPage?: ReturnType<typeof createPageLinker>;

  constructor(
    private readonly context: TemplateContext,
    private readonly info: HugoPageInfo,
    limits?: TemplateLimits,
  ) {
    this.budget = new TemplateBudget(limits);
    this.zone = context.site.timeZone ?? 'UTC';
    const hugo = context.content?.hugoConfig ?? {};
    this.language = String(hugo.defaultcontentlanguage ?? 'en').toLowerCase();
    this.sourcePath = context.page?.sourcePath ?? '';
    // A whole Hugo site uploaded keeps its posts under content/: Hugo's paths start inside it.
    this.contentPath = this.sourcePath.replace(/^content\//, '');
    const functionContext: FunctionContext = {
      budget: this.budget,
      warn: (message) => this.warn(message),
      site: { baseUrl: context.site.baseUrl, language: this.language, zone: this.zone },
      now: info.date ?? new Date(0),
      ...(context.content?.files ? { files: context.content.files } : {}),
      markdown: (source, block) => markdownOf(source, block),
      resolveReference: (target) => this.link(target, 'ref'),
      translate: (key, data) => this.translate(key, data),
      partial: (name, data) => this.partial(name, data),
      hasPartial: (name) => this.partialSource(name) !== undefined,
      siteObject: () => this.siteObject(),
      lookup: (name) => this.functions[name],
    };
    this.functions = createHugoFunctions(functionContext);
  }

  /** The warnings, each with the body line of the shortcode that first caused it. */
  collectedWarnings(): { message: string; line: number }[] {
    return [...this.warnings].map(([message, line]) => ({ message, line }));
  }

  private warn(message: string): void {
    if (!this.warnings.has(message)) this.warnings.set(message, this.currentLine);
  }

  /**
   * Renders the site's template for one shortcode call; throws GoTemplateError when the template cannot run.
   * @example session.renderShortcode(frame, 'layouts/shortcodes/note.html', '<aside>{{ .Inner }}</aside>')
   */
  renderShortcode(frame: ShortcodeFrame, path: TemplatePath, source: string): string {
    this.currentLine = frame.line;
    this.currentTemplate = path;
    this.imageProcessed = false;
    const text = executeTemplate(compileGoTemplate(source), this.shortcodeObject(frame), {
      functions: this.functions,
      budget: this.budget,
    }).text;
    // An image whose size is unknown must not be drawn 0 by 0: its width and height are left to the browser.
    return this.imageProcessed ? text.replace(/\s(?:width|height)=(["']?)0\1(?=[\s/>])/g, '') : text;
  }

  // ------------------------------------------------------------ partials and translations

  private partialSource(name: string): string | undefined {
    const partials = this.context.content?.partials ?? {};
    return partials[name] ?? partials[`${name}.html`];
  }

  private partial(name: string, data: unknown): { value: unknown } | undefined {
    const source = this.partialSource(name);
    if (source === undefined) return undefined;
    const path = `layouts/partials/${name.endsWith('.html') ? name : `${name}.html`}`;
    try {
      const executed = executeTemplate(compileGoTemplate(source), data, {
        functions: this.functions,
        budget: this.budget,
      });
      return { value: executed.returned ? executed.returned.value : new SafeHtml(executed.text) };
    } catch (error) {
      if (!(error instanceof GoTemplateError) || error.message.includes(' (in layouts/partials/')) throw error;
      const where = ` (in ${path}${error.line === undefined ? '' : ` line ${error.line}`})`;
      const wrapped = new (error.constructor as typeof GoTemplateError)(error.message + where, { cause: error });
      throw wrapped;
    }
  }

  private translate(key: string, data: unknown): string | undefined {
    const all = this.context.content?.i18n ?? {};
    const table = all[this.language] ?? all[this.language.split('-')[0] ?? ''];
    if (!table) return undefined;
    const entry = table[key] ?? Object.entries(table).find(([id]) => id.toLowerCase() === key.toLowerCase())?.[1];
    if (entry === undefined) return undefined;
    const count = isNumber(data) ? numberOf(data) : isMap(data) ? countOf(data) : undefined;
    let text: string | undefined;
    if (typeof entry === 'string') text = entry;
    else {
      const form = count === undefined ? 'other' : new Intl.PluralRules(this.language).select(count);
      text = entry[form] ?? entry.other ?? Object.values(entry)[0];
    }
    if (text === undefined) return undefined;
    if (!text.includes('{{')) return text;
    // go-i18n runs the translation as a text/template; a bare count is given to it as .Count.
    const templateData = isNumber(data)
      ? new GoStruct('i18n.intCount', { Count: data }, () => formatValue(data))
      : data;
    return runGoTemplate(text, templateData, { functions: this.functions, budget: this.budget, mode: 'text' }).text;
  }

  // ------------------------------------------------------------ the objects templates read

  private shortcodeObject(frame: ShortcodeFrame): GoStruct {
    if (frame.object) return frame.object;
    const { named, positional } = frame.params;
    const bare = frame.params.bare;
    const typed = (value: string, key: string | number) => (bare?.has(key) ? typedValue(value) : value);
    const scratch = createScratch();
    const isNamed = named.size > 0;
    const object = new GoStruct(
      '*hugolib.ShortcodeWithPage',
      {
        Name: frame.name,
        Inner: () => new SafeHtml(frame.inner ?? ''),
        InnerDeindent: () => new SafeHtml(dedent(frame.inner ?? '')),
        IsNamedParams: isNamed,
        Params: isNamed
          ? Object.fromEntries([...named].map(([key, value]) => [key, typed(value, key)]))
          : positional.map((value, index) => typed(value, index)),
        Position: new GoStruct('text.Position', {}, () => `"${this.contentPath}:${frame.line}:1"`),
        Ordinal: frame.ordinal,
        Page: () => this.pageObject(),
        Site: () => this.siteObject(),
        Parent: () =>
          frame.parent ? this.shortcodeObject(frame.parent) : new GoNil('*hugolib.ShortcodeWithPage', '<nil>'),
        Scratch: () => scratch,
        Store: () => scratch,
        Get: (key: unknown) => {
          if (isNumber(key)) {
            if (isNamed) return undefined;
            const value = positional[numberOf(key)];
            return value === undefined ? '' : typed(value, numberOf(key));
          }
          if (!isNamed) return undefined;
          const name = toText(key).toLowerCase();
          const value = named.get(name);
          return value === undefined ? '' : typed(value, name);
        },
        Ref: (options: unknown) => this.reference(options, 'ref'),
        RelRef: (options: unknown) => this.reference(options, 'relref'),
      },
      () => `{${frame.name}}`,
    );
    frame.object = object;
    return object;
  }

  private reference(options: unknown, name: string): string {
    const target = isMap(options) ? toText((options as Record<string, unknown>).path) : toText(options);
    return this.link(target, name);
  }

  /**
   * A post's URL, or the page of the author's own site that is not a post (page-links.ts), with one warning for
   * the page; never an error, as the built-in ref shortcode.
   */
  private link(target: string, name: string): string {
    this.linkPage ??= createPageLinker(this.context);
    const written = `{{ ${name} . "${target}" }} in ${this.currentTemplate}`;
    const linked = this.linkPage({ target, generator: 'hugo', written, line: this.currentLine });
    for (const problem of linked.problems) this.warn(problem.message);
    return linked.url;
  }

  private pageObject(): GoStruct {
    if (this.page) return this.page;
    const frontMatter = this.context.page?.params ?? {};
    const date = this.info.date ? new GoTime(this.info.date, this.zone) : new GoTime(new Date(0), this.zone);
    const paramTime = (name: string) => {
      const value = findKey(frontMatter, name);
      try {
        return value === undefined ? date : toTime(value, this.zone);
      } catch {
        return date;
      }
    };
    // Hugo's page params: the front matter with keys lower-cased, and the dates, draft and title it works out.
    const params: Record<string, unknown> = {
      ...lowerKeys(frontMatter),
      date,
      publishdate: paramTime('publishdate'),
      lastmod: paramTime('lastmod'),
      draft: findKey(frontMatter, 'draft') === true,
      iscjklanguage: false,
      title: this.context.pageTitle,
    };
    const url = this.info.url ?? this.context.site.baseUrl;
    const section = this.contentPath.includes('/') ? (this.contentPath.split('/')[0] as string) : '';
    const site = () => this.siteObject();
    this.page = new GoStruct(
      'page.Page',
      {
        Title: this.context.pageTitle,
        LinkTitle: toText(findKey(params, 'linktitle') ?? this.context.pageTitle),
        Date: date,
        PublishDate: paramTime('publishdate'),
        Lastmod: paramTime('lastmod'),
        ExpiryDate: paramTime('expirydate'),
        Permalink: url,
        RelPermalink: new URL(url).pathname,
        Params: params,
        Param: (key: unknown) => {
          const name = toText(key);
          return findPath(params, name) ?? findPath(this.context.content?.params ?? {}, name);
        },
        File: this.fileObject(),
        Resources: () => this.pageResources(),
        Site: site,
        Sites: () => [site()],
        Section: section,
        Type: toText(findKey(params, 'type') ?? section),
        Kind: 'page',
        Layout: toText(findKey(params, 'layout') ?? ''),
        Lang: this.language,
        Language: () => this.languageObject(),
        IsPage: true,
        IsHome: false,
        IsNode: false,
        IsSection: false,
        IsTranslated: false,
        Translations: [],
        Draft: params.draft,
        Description: toText(findKey(params, 'description') ?? ''),
        Keywords: findKey(params, 'keywords') ?? [],
        Slug: toText(findKey(params, 'slug') ?? ''),
        Aliases: findKey(params, 'aliases') ?? [],
        Weight: findKey(params, 'weight') ?? 0,
        Scratch: () => this.pageScratch,
        Store: () => this.pageScratch,
        RenderString: (...args: unknown[]) => {
          const options = args.length > 1 && isMap(args[0]) ? (args[0] as Record<string, unknown>) : {};
          const source = toText(args.at(-1));
          this.budget.size(source.length);
          return new SafeHtml(markdownOf(source, options.display === 'block'));
        },
        Ref: (options: unknown) => this.reference(options, 'ref'),
        RelRef: (options: unknown) => this.reference(options, 'relref'),
      },
      () => `Page(/${this.contentPath})`,
    );
    return this.page;
  }

  private fileObject(): GoStruct {
    const path = this.contentPath;
    const slash = path.lastIndexOf('/');
    const logicalName = path.slice(slash + 1);
    const dot = logicalName.lastIndexOf('.');
    const baseFileName = dot === -1 ? logicalName : logicalName.slice(0, dot);
    const dir = path.slice(0, slash + 1);
    const contentBaseName = /^_?index$/.test(baseFileName) ? (dir.split('/').at(-2) ?? baseFileName) : baseFileName;
    return new GoStruct('*source.FileInfo', {
      Path: path,
      Filename: path,
      Dir: dir,
      LogicalName: logicalName,
      BaseFileName: baseFileName,
      TranslationBaseName: baseFileName,
      ContentBaseName: contentBaseName,
      Ext: dot === -1 ? '' : logicalName.slice(dot + 1),
      Lang: this.language,
      Section: path.split('/')[0] ?? '',
      UniqueID: () => this.functions.md5?.(path),
    });
  }

  private pageResources(): unknown[] {
    if (this.resources) return this.resources;
    const files = this.context.content?.files;
    if (!files) {
      this.warn(
        'Page resources (.Page.Resources) are not known where this post was read, so templates see none of the files beside it.',
      );
    }
    this.resources = pageResources({
      sourcePath: this.sourcePath,
      files: files ?? [],
      folderUrl: postSourceUrl(this.context.site, this.sourcePath),
      onUnavailable: (what, method) => this.noteUnavailable(what, method),
    });
    return this.resources;
  }

  private noteUnavailable(what: 'image' | 'content', method: string): void {
    if (what === 'image') this.imageProcessed = true;
    if (this.unavailable.has(what)) return;
    this.unavailable.add(what);
    this.warn(
      what === 'image'
        ? `The site's template ${this.currentTemplate} processes images (${method}), which needs Hugo's image pipeline: the original image is used as it is, and its width and height are left out.`
        : `The site's template ${this.currentTemplate} reads a file's content (${method}), which templates here cannot see: it is empty.`,
    );
  }

  private languageObject(): GoStruct {
    const hugo = this.context.content?.hugoConfig ?? {};
    const code = toText(hugo.languagecode ?? this.context.site.language ?? this.language);
    return new GoStruct(
      '*langs.Language',
      {
        Lang: this.language,
        LanguageName: toText(hugo.languagename ?? ''),
        LanguageCode: code,
        LanguageDirection: toText(hugo.languagedirection ?? ''),
        Weight: 0,
      },
      () => this.language,
    );
  }

  private siteObject(): GoStruct {
    if (this.site) return this.site;
    const hugo = this.context.content?.hugoConfig ?? {};
    const setting = (path: string) => findPath(hugo, path);
    const flag = (path: string) => setting(path) === true;
    const privacy = new GoStruct('privacy.Config', {
      Disqus: new GoStruct('privacy.Disqus', { Disable: flag('privacy.disqus.disable') }),
      GoogleAnalytics: new GoStruct('privacy.GoogleAnalytics', {
        Disable: flag('privacy.googleanalytics.disable'),
        RespectDoNotTrack: flag('privacy.googleanalytics.respectdonottrack'),
      }),
      Instagram: new GoStruct('privacy.Instagram', {
        Disable: flag('privacy.instagram.disable'),
        Simple: flag('privacy.instagram.simple'),
      }),
      Twitter: new GoStruct('privacy.Twitter', {
        Disable: flag('privacy.twitter.disable'),
        EnableDNT: flag('privacy.twitter.enablednt'),
        Simple: flag('privacy.twitter.simple'),
      }),
      Vimeo: new GoStruct('privacy.Vimeo', {
        Disable: flag('privacy.vimeo.disable'),
        EnableDNT: flag('privacy.vimeo.enablednt'),
        Simple: flag('privacy.vimeo.simple'),
      }),
      YouTube: new GoStruct('privacy.YouTube', {
        Disable: flag('privacy.youtube.disable'),
        PrivacyEnhanced: flag('privacy.youtube.privacyenhanced'),
      }),
    });
    const services = new GoStruct('services.Config', {
      Disqus: new GoStruct('services.Disqus', { Shortname: toText(setting('services.disqus.shortname') ?? '') }),
      GoogleAnalytics: new GoStruct('services.GoogleAnalytics', {
        ID: toText(setting('services.googleanalytics.id') ?? ''),
      }),
      Instagram: new GoStruct('services.Instagram', {
        DisableInlineCSS: flag('services.instagram.disableinlinecss'),
        AccessToken: '',
      }),
      Twitter: new GoStruct('services.Twitter', { DisableInlineCSS: flag('services.twitter.disableinlinecss') }),
      RSS: new GoStruct('services.RSS', { Limit: setting('services.rss.limit') ?? -1 }),
    });
    const language = this.languageObject();
    this.site = new GoStruct(
      'page.Site',
      {
        Title: this.context.site.title,
        BaseURL: this.context.site.baseUrl,
        Params: this.context.content?.params ?? {},
        Language: language,
        LanguageCode: toText(hugo.languagecode ?? ''),
        LanguagePrefix: '',
        Copyright: toText(hugo.copyright ?? ''),
        Author: isMap(hugo.author) ? hugo.author : {},
        Config: new GoStruct('page.SiteConfig', { Privacy: privacy, Services: services }),
        Data: {},
        Menus: {},
        IsServer: false,
        IsMultiLingual: false,
        Home: () => new GoNil('page.Page', '', 'the site’s other pages are not available to templates here'),
        Hugo: () => this.functions.hugo?.(),
      },
      () => `Site(${this.context.site.title})`,
    );
    return this.site;
  }
}

/** Hugo's typed shortcode parameters: an unquoted true/false, integer or decimal is a bool, int or float. */
const typedValue = (value: string): unknown => {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^[-+]?\d+$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  if (/^[-+]?\d*\.\d+$/.test(value)) {
    const number = Number(value);
    // An unquoted 2.0 is Go's float64 2.
    return Number.isInteger(number) ? new GoFloat(number) : number;
  }
  return value;
};

const countOf = (data: Record<string, unknown> | Map<unknown, unknown>): number | undefined => {
  const count = data instanceof Map ? data.get('Count') : data.Count;
  return isNumber(count) ? numberOf(count) : undefined;
};

const lowerKeys = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key.toLowerCase(),
      isMap(value) && !(value instanceof Map) ? lowerKeys(value) : value,
    ]),
  );

const findKey = (record: Record<string, unknown>, name: string): unknown => {
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  const found = Object.keys(record).find((key) => key.toLowerCase() === lower);
  return found === undefined ? undefined : record[found];
};

/** A dotted name (`book.title`) through nested maps, case-insensitively. */
const findPath = (record: Record<string, unknown>, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (value, key) => (isMap(value) && !(value instanceof Map) ? findKey(value, key) : undefined),
      record,
    );

const markdownOf = (source: string, block: boolean): string =>
  block ? renderMarkdownBlock(source) : renderMarkdownify(source);

const renderMarkdownBlock = (source: string): string => {
  const inline = renderMarkdownify(source);
  return inline.startsWith('<') && /<\/(p|ul|ol|pre|blockquote|h\d|table|div)>\s*$/.test(inline)
    ? inline
    : `<p>${inline}</p>\n`;
};

const dedent = (text: string): string => {
  const lines = text.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join('\n');
};
