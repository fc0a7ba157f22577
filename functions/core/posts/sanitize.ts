import sanitizeHtml from 'sanitize-html';

/** Schemes a link may keep. Everything else (javascript:, vbscript:, data:, file:, blob: ...) is dropped. */
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);
const WEB_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * The absolute URL of `url` against the absolute http(s) `base`, or undefined when it must not be published.
 *
 * Parsing follows the WHATWG URL standard, as browsers do: leading and trailing control characters and spaces are
 * ignored and tabs and newlines vanish anywhere, so `java\tscript:` and ` JaVaScRiPt:` are recognised for what
 * they are. HTML entities (`&#106;avascript:`) are the HTML parser's business: callers pass attribute values
 * already decoded. Protocol-relative URLs (`//cdn.example/a.png`) become https, whatever the base. `data:` URLs
 * are always refused here; the sanitizer keeps inline raster images separately, for `img src` only.
 *
 * @example resolveUrl('../img/a.png', 'https://a.example/posts/hello/') // 'https://a.example/posts/img/a.png'
 */
export const resolveUrl = (url: string, base: string): string | undefined => {
  const baseUrl = parseUrl(base);
  if (baseUrl === undefined || !WEB_PROTOCOLS.has(baseUrl.protocol)) return undefined;
  const cleaned = trimControls(url.replace(/[\t\n\r]/g, ''));
  if (cleaned === '') return undefined;
  const candidate = /^[\\/]{2}/.test(cleaned) ? `https:${cleaned}` : cleaned;
  const resolved = parseUrl(candidate, baseUrl);
  if (resolved === undefined || !LINK_PROTOCOLS.has(resolved.protocol)) return undefined;
  if (WEB_PROTOCOLS.has(resolved.protocol) && resolved.hostname === '') return undefined;
  return resolved.href;
};

const parseUrl = (url: string, base?: URL): URL | undefined => {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
};

/** Strips C0 controls and spaces from both ends, as the URL parser and browsers do. */
const trimControls = (value: string): string => {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.slice(start, end);
};

export interface SanitizeOptions {
  /** Absolute URL every relative URL is resolved against: the page the post is published at. */
  baseUrl: string;
  /** The page the post is shown on, where fragment links (`#notes`) point; default `baseUrl`. */
  pageUrl?: string;
  /** Host names whose iframes survive (exact match, case-insensitive); `https` only. */
  iframeHosts: string[];
}

/**
 * Sanitized HTML of a post body: the author's formatting stays, anything that can run code or change the page
 * around the post goes, and every URL becomes absolute (feeds are read far from the site, so relative URLs break).
 *
 * Decisions:
 * - Fragment links (`#notes`) become `pageUrl#notes`. With `pageUrl` set to the post's own URL they still scroll
 *   in place on the post page, and they work in feed readers and mail, where a bare `#notes` would not.
 * - Links to another host get `rel="noopener"`; the author's own `rel` and `target` are dropped.
 * - Inline images (`data:image/png|gif|jpeg|webp;base64`) are kept in `img src` only; SVG data URLs can carry
 *   script and are dropped.
 * - Iframes survive only with an https `src` on an allowed host. They get `loading="lazy"`,
 *   `referrerpolicy="strict-origin-when-cross-origin"` (video hosts such as YouTube refuse to play without a
 *   referrer) and `sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"`: players need script
 *   and their own origin's storage, which is safe only because the frame is on another origin than the site.
 * - `video` and `audio` always get `controls` and never `autoplay`.
 * - Table cell alignment is kept as `align`, including markdown-it's `style="text-align:..."`; no other styles.
 * - Task-list checkboxes survive as `<input type="checkbox" disabled>`; every other form control goes.
 *
 * @example sanitizePostHtml('<img src="a.png" onerror="x()">', { baseUrl: 'https://a.example/p/', iframeHosts: [] })
 * // '<img src="https://a.example/p/a.png" />'
 */
export const sanitizePostHtml = (html: string, options: SanitizeOptions): string =>
  sanitizeHtml(html, buildSanitizeOptions(options));

/** Tags whose content is dropped with them: it is code, styling or fallback noise, never the author's prose. */
const NON_TEXT_TAGS = [
  'script',
  'style',
  'textarea',
  'option',
  'select',
  'button',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'title',
  'xmp',
  'svg',
  'math',
  'object',
  'embed',
  'iframe',
  'frame',
  'frameset',
];

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  ...Object.fromEntries(HEADINGS.map((tag) => [tag, ['id']])),
  a: ['href', 'title', 'rel', 'id'],
  img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height', 'loading'],
  source: ['src', 'srcset', 'sizes', 'type', 'media', 'width', 'height'],
  video: ['src', 'poster', 'controls', 'width', 'height', 'preload', 'loop', 'muted', 'playsinline'],
  audio: ['src', 'controls', 'preload', 'loop', 'muted'],
  iframe: ['src', 'width', 'height', 'title', 'allowfullscreen', 'loading', 'sandbox', 'referrerpolicy'],
  input: ['type', 'checked', 'disabled'],
  pre: ['class'],
  code: ['class'],
  ol: ['start', 'reversed'],
  li: ['id'],
  sup: ['id'],
  blockquote: ['cite'],
  q: ['cite'],
  abbr: ['title'],
  details: ['open'],
  th: ['align', 'colspan', 'rowspan', 'scope'],
  td: ['align', 'colspan', 'rowspan'],
};

const ALLOWED_TAGS = [
  ...HEADINGS,
  ...['p', 'a', 'img', 'figure', 'figcaption', 'picture', 'source', 'blockquote', 'pre', 'code'],
  ...['ul', 'ol', 'li', 'input', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'],
  ...['em', 'strong', 'b', 'i', 'u', 'del', 'ins', 's', 'sup', 'sub', 'mark', 'kbd', 'samp', 'var', 'abbr', 'q'],
  ...['cite', 'small', 'br', 'wbr', 'hr', 'details', 'summary', 'dl', 'dt', 'dd', 'span', 'div'],
  ...['aside', 'section', 'video', 'audio', 'iframe'],
];

const URL_ATTRIBUTES = ['href', 'src', 'poster', 'cite'];
const INLINE_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/]+={0,2}$/i;
const IFRAME_SANDBOX = 'allow-scripts allow-same-origin allow-presentation allow-popups';

const buildSanitizeOptions = (options: SanitizeOptions): sanitizeHtml.IOptions => {
  const iframeHosts = new Set(options.iframeHosts.map((host) => host.toLowerCase()));
  const baseHost = parseUrl(options.baseUrl)?.host;

  const transformTag = (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
    const result: sanitizeHtml.Attributes = { ...attribs };
    for (const name of URL_ATTRIBUTES) {
      const value = result[name];
      if (value === undefined) continue;
      const inline = tagName === 'img' && name === 'src' && INLINE_IMAGE.test(value.replace(/\s+/g, ''));
      // A fragment names a place on the page the post is shown on, not in the folder its files come from.
      const base = value.trim().startsWith('#') ? (options.pageUrl ?? options.baseUrl) : options.baseUrl;
      const resolved = inline ? value.replace(/\s+/g, '') : resolveUrl(value, base);
      if (resolved === undefined) delete result[name];
      else result[name] = resolved;
    }
    if (result.srcset !== undefined) {
      const srcset = resolveSrcset(result.srcset, options.baseUrl);
      if (srcset === '') delete result.srcset;
      else result.srcset = srcset;
    }
    switch (tagName) {
      case 'a':
        delete result.rel;
        if (result.href !== undefined && isOtherWebHost(result.href, baseHost)) result.rel = 'noopener';
        break;
      case 'iframe':
        if (!isAllowedFrame(result.src, iframeHosts)) delete result.src;
        Object.assign(result, { loading: 'lazy', sandbox: IFRAME_SANDBOX });
        result.referrerpolicy = 'strict-origin-when-cross-origin';
        break;
      case 'input':
        if (result.type?.toLowerCase() === 'checkbox') Object.assign(result, { type: 'checkbox', disabled: '' });
        else delete result.type;
        break;
      case 'video':
      case 'audio':
        result.controls = '';
        break;
      case 'th':
      case 'td': {
        const align = /text-align\s*:\s*(left|right|center)/i.exec(result.style ?? '')?.[1] ?? result.align;
        if (align !== undefined && /^(left|right|center)$/i.test(align)) result.align = align.toLowerCase();
        else delete result.align;
        break;
      }
    }
    return { tagName, attribs: result };
  };

  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedClasses: { pre: ['language-*'], code: ['language-*'] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: URL_ATTRIBUTES,
    allowProtocolRelative: false,
    selfClosing: ['img', 'br', 'hr', 'input', 'source', 'wbr'],
    nonTextTags: NON_TEXT_TAGS,
    disallowedTagsMode: 'discard',
    parseStyleAttributes: false,
    transformTags: { '*': transformTag },
    // Runs when an element closes, so whatever the transform left unusable goes with its content.
    exclusiveFilter: (frame) => {
      switch (frame.tag) {
        case 'iframe':
          return frame.attribs.src === undefined;
        case 'input':
          return frame.attribs.type !== 'checkbox';
        case 'img':
        case 'source':
          return frame.attribs.src === undefined && frame.attribs.srcset === undefined;
        default:
          return false;
      }
    },
  };
};

const isOtherWebHost = (href: string, baseHost: string | undefined): boolean => {
  const url = parseUrl(href);
  return url !== undefined && WEB_PROTOCOLS.has(url.protocol) && url.host !== baseHost;
};

const isAllowedFrame = (src: string | undefined, hosts: ReadonlySet<string>): boolean => {
  const url = src === undefined ? undefined : parseUrl(src);
  return url !== undefined && url.protocol === 'https:' && hosts.has(url.hostname);
};

/**
 * A `srcset` with every candidate URL made absolute; candidates whose URL is refused or whose descriptor is not a
 * width (`480w`) or density (`2x`) are dropped. As in the HTML parsing rules, a comma inside a URL belongs to it and
 * commas at its end close the candidate.
 */
const resolveSrcset = (srcset: string, base: string): string => {
  const candidates: string[] = [];
  for (const { url, descriptor } of splitSrcset(srcset)) {
    const resolved = resolveUrl(url, base);
    if (resolved === undefined || !/^(?:\d+w|\d+(?:\.\d+)?x)?$/.test(descriptor)) continue;
    candidates.push(descriptor === '' ? resolved : `${resolved} ${descriptor}`);
  }
  return candidates.join(', ');
};

const splitSrcset = (srcset: string): { url: string; descriptor: string }[] => {
  const candidates: { url: string; descriptor: string }[] = [];
  let rest = srcset;
  while (true) {
    rest = rest.replace(/^[\s,]+/, '');
    if (rest === '') return candidates;
    const url = /^\S+/.exec(rest)?.[0] ?? '';
    rest = rest.slice(url.length);
    if (url.endsWith(',')) {
      candidates.push({ url: url.replace(/,+$/, ''), descriptor: '' });
      continue;
    }
    const comma = rest.indexOf(',');
    const descriptor = (comma === -1 ? rest : rest.slice(0, comma)).trim();
    rest = comma === -1 ? '' : rest.slice(comma + 1);
    candidates.push({ url, descriptor });
  }
};

/** Elements that separate words when a browser lays them out; in plain text they become a space. */
const BLOCK_TAGS = [
  ...HEADINGS,
  ...['p', 'div', 'br', 'hr', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'figure', 'figcaption'],
  ...['table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'details', 'summary', 'section', 'article'],
  ...['header', 'footer', 'aside', 'nav', 'main', 'address', 'img', 'video', 'audio', 'picture'],
];

/**
 * Plain text of an HTML fragment, for summaries and the text part of mail: tags removed (script, style and other
 * non-text elements with their content), entities decoded, block boundaries turned into spaces and whitespace
 * collapsed. The result is text, not HTML: escaped markup in the source (`&lt;b&gt;`) comes out as the literal
 * characters `<b>`, so whoever renders it must escape it like any other text.
 *
 * @example htmlToText('<h1>Hi&amp;bye</h1><p>One<br>two</p>') // 'Hi&bye One two'
 */
export const htmlToText = (html: string): string => {
  // Keeping only block tags, bare, gives markup in which every `<` starts one of those tags: text is escaped.
  const blocksOnly = sanitizeHtml(html, {
    allowedTags: BLOCK_TAGS,
    allowedAttributes: {},
    nonTextTags: NON_TEXT_TAGS.filter((tag) => !BLOCK_TAGS.includes(tag)),
    disallowedTagsMode: 'discard',
  });
  return textOfRegularMarkup(blocksOnly.replace(/<[^>]*>/g, ' '));
};

/**
 * An attribute value as sanitize-html writes it (double-quoted, with `&quot;`, `&#39;`, `&lt;`, `&gt;`, `&amp;`),
 * decoded back to the value itself.
 * @example decodeAttributeValue('a.png?x=1&amp;y=2') // 'a.png?x=1&y=2'
 */
export const decodeAttributeValue = (value: string): string =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Text of sanitize-html output once its tags are gone: the four entities it writes decoded, whitespace folded. */
const textOfRegularMarkup = (markup: string): string =>
  markup
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

const BLOCK_TAG = new RegExp(`</?(?:${BLOCK_TAGS.join('|')})(?=[\\s/>])[^>]*>`, 'gi');

/**
 * htmlToText for HTML that came out of sanitizePostHtml, without parsing it again. Sanitized markup is regular:
 * every `<` in text is escaped, attribute values have `>` escaped, and the only entities left are `&amp;`, `&lt;`,
 * `&gt;` and `&quot;`, so dropping tags textually gives the same text. A property test holds it to htmlToText.
 * @example sanitizedHtmlToText('<p>a &amp; <em>b</em></p><p>c</p>') // 'a & b c'
 */
export const sanitizedHtmlToText = (sanitized: string): string =>
  textOfRegularMarkup(sanitized.replace(BLOCK_TAG, ' ').replace(/<[^>]*>/g, ''));

/**
 * The same text kept in its paragraphs (every block element starts one), for summaries that must not run
 * paragraphs together.
 * @example sanitizedHtmlToParagraphs('<p>Like this:</p><p>Then.</p>') // ['Like this:', 'Then.']
 */
export const sanitizedHtmlToParagraphs = (sanitized: string): string[] =>
  sanitized
    .split(BLOCK_TAG)
    .map((chunk) => textOfRegularMarkup(chunk.replace(/<[^>]*>/g, '')))
    .filter((paragraph) => paragraph !== '');
