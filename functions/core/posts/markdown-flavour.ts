/**
 * Which Markdown a post is written in, as its generator renders it. A Hugo site's posts are goldmark with Hugo
 * 0.111's defaults and then the site's own `markup` settings; a Jekyll site's posts are kramdown (Jekyll's default
 * `input: GFM`) with the site's `kramdown` settings; a post of no known site is CommonMark with GitHub's extensions.
 * Plain values, so a flavour crosses worker threads and keys a cache.
 */
export interface MarkdownFlavour {
  engine: 'commonmark' | 'goldmark' | 'kramdown';
  /** Dashes, ellipses and guillemets from `--`, `---`, `...`, `<<`, `>>` (and smart quotes, unless turned off). */
  typographer: boolean;
  /** Curly quotes and apostrophes, where `typographer` is on. */
  smartQuotes: boolean;
  footnotes: boolean;
  definitionLists: boolean;
  /** `*[HTML]: Hyper Text Markup Language` (kramdown). */
  abbreviations: boolean;
  /** `## Title {#id .class}` (goldmark's parser.attribute.title; kramdown's header ids). */
  headingAttributes: boolean;
  /** Attribute lists on blocks and spans: goldmark's `{.class}` (parser.attribute.block), kramdown's `{: .class}`. */
  blockAttributes: boolean;
  /** Ids on every heading made from its text, as GitHub makes them (goldmark autoHeadingID, kramdown auto_ids). */
  headingIds: boolean;
  /** `:smile:` as the emoji (Hugo's enableEmoji). */
  emoji: boolean;
  /** Raw HTML kept (goldmark's renderer.unsafe); when false it is omitted, as Hugo omits it. */
  rawHtml: boolean;
  /** A line break in a paragraph is a `<br>` (goldmark hardWraps, kramdown hard_wrap). */
  hardWraps: boolean;
  /** kramdown's `$$…$$` math, written out for MathJax as `\(…\)` and `\[…\]`. */
  math: boolean;
}

/** This publisher's own Markdown: CommonMark, GitHub's tables, strikethrough, autolinks, task lists and footnotes. */
export const COMMONMARK: MarkdownFlavour = {
  engine: 'commonmark',
  typographer: false,
  smartQuotes: false,
  footnotes: true,
  definitionLists: false,
  abbreviations: false,
  headingAttributes: false,
  blockAttributes: false,
  headingIds: false,
  emoji: false,
  rawHtml: true,
  hardWraps: false,
  math: false,
};

/**
 * Hugo 0.111's goldmark, then the site's `markup.goldmark` settings (`hugo.toml` and friends, keys in any case).
 * Without a Hugo config at all the site's choice about raw HTML is unknown, and it is kept (it is sanitized anyway).
 * @example goldmarkFlavour({ markup: { goldmark: { renderer: { unsafe: true } } } }).rawHtml // true
 */
export const goldmarkFlavour = (config: Record<string, unknown> | undefined): MarkdownFlavour => {
  const goldmark = pathOf(config, 'markup', 'goldmark');
  const extensions = pathOf(goldmark, 'extensions');
  const parser = pathOf(goldmark, 'parser');
  const attribute = pathOf(parser, 'attribute');
  const renderer = pathOf(goldmark, 'renderer');
  return {
    engine: 'goldmark',
    typographer: flag(extensions, 'typographer', true),
    smartQuotes: true,
    footnotes: flag(extensions, 'footnote', true),
    definitionLists: flag(extensions, 'definitionlist', true),
    abbreviations: false,
    headingAttributes: flag(attribute, 'title', true),
    blockAttributes: flag(attribute, 'block', false),
    headingIds: flag(parser, 'autoheadingid', true),
    emoji: flag(config, 'enableemoji', false),
    rawHtml: config === undefined ? true : flag(renderer, 'unsafe', false),
    hardWraps: flag(renderer, 'hardwraps', false),
    math: false,
  };
};

/**
 * kramdown as Jekyll 4 sets it up, then the site's `kramdown` settings from `_config.yml`.
 * @example kramdownFlavour({ kramdown: { hard_wrap: true } }).hardWraps // true
 */
export const kramdownFlavour = (config: Record<string, unknown> | undefined): MarkdownFlavour => {
  const kramdown = pathOf(config, 'kramdown');
  // smart_quotes names the four entities to use, as a list or one comma-separated string; apos/quot means none.
  const quotes = kramdown?.smart_quotes;
  const names = (Array.isArray(quotes) ? quotes.map(String) : typeof quotes === 'string' ? quotes.split(',') : [])
    .map((name) => name.trim())
    .join(',');
  return {
    engine: 'kramdown',
    typographer: true,
    smartQuotes: names !== 'apos,apos,quot,quot',
    footnotes: true,
    definitionLists: true,
    abbreviations: true,
    headingAttributes: true,
    blockAttributes: true,
    headingIds: flag(kramdown, 'auto_ids', true),
    emoji: false,
    rawHtml: true,
    hardWraps: flag(kramdown, 'hard_wrap', false),
    math: true,
  };
};

/** A nested settings object, keys read case-insensitively as Hugo reads them. */
const pathOf = (value: unknown, ...keys: string[]): Record<string, unknown> | undefined => {
  let current = value;
  for (const key of keys) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const entry = Object.entries(current).find(([name]) => name.toLowerCase() === key);
    current = entry?.[1];
  }
  return current && typeof current === 'object' && !Array.isArray(current)
    ? (current as Record<string, unknown>)
    : undefined;
};

const flag = (settings: Record<string, unknown> | undefined, key: string, fallback: boolean): boolean => {
  const entry = Object.entries(settings ?? {}).find(([name]) => name.toLowerCase() === key);
  const value = entry?.[1];
  if (typeof value === 'boolean') return value;
  // Later Hugo versions write some switches as a table ({ disable = true }); read what they say.
  if (value && typeof value === 'object' && 'disable' in value) return (value as { disable: unknown }).disable !== true;
  return fallback;
};
