import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { DigestConfig, FeedFormat, SiteConfig } from './types.ts';

declare module './types.ts' {
  interface MailConfig {
    /** `false` sends no welcome mail when a subscriber confirms (default: one is sent). */
    welcomeMail?: boolean;
  }
}

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must start with http:// or https://');

/** The address of the author's own site: one problem at a time, the first that applies. */
const siteAddress = z.string().superRefine((value, context) => {
  const message =
    !/^https?:\/\/[^/\s]/i.test(value) || !URL.canParse(value)
      ? 'must be the absolute http(s) address of your own site, such as https://blog.example.org/'
      : /[?#]/.test(value)
        ? 'must be the address alone, without ? or #'
        : undefined;
  if (message) context.addIssue({ code: 'custom', message });
});

/** A DNS host name of two or more labels: no scheme, port, path, wildcard or trailing dot. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]+$/;

const certificateArn = z.string().superRefine((value, context) => {
  const match = ACM_ARN.exec(value);
  if (match === null) {
    context.addIssue({
      code: 'custom',
      message: 'must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<id>',
    });
  } else if (match[1] !== 'us-east-1') {
    context.addIssue({
      code: 'custom',
      message:
        `is in ${match[1]}, but CloudFront only uses certificates from us-east-1 (N. Virginia), whatever region ` +
        'the stack is in: request or import the certificate in us-east-1',
    });
  }
});

const FEED_FORMATS: readonly string[] = ['rss', 'atom', 'json'] satisfies FeedFormat[];
const FEED_PATH_EXAMPLES = 'such as "index.xml", "feed.xml", "feed/" or "tags/:tag/index.xml"';
/** Folders of the site's own pages: a feed at `<folder>/` would replace one of them. */
const PAGE_FOLDERS = ['archive/', 'subscribe/', 'posts/', 'tags/'];

/**
 * What is wrong with one `feedPaths` entry, phrased as what to write instead; undefined when it is fine. The name's
 * ending must fit the format (a `.json` file is JSON Feed, `.rss` RSS, `.atom` Atom), which also guarantees the
 * fallback names of a displaced default feed (feed-paths.ts) are free.
 * @example feedPathProblem('/index.xml', 'rss') // '"/index.xml": write the path without the leading /, as "index.xml"'
 */
export const feedPathProblem = (path: string, format: unknown): string | undefined => {
  if (typeof format !== 'string' || !FEED_FORMATS.includes(format))
    return `"${path}": the format must be "rss", "atom" or "json", not ${JSON.stringify(format)}`;
  if (path.startsWith('/')) return `"${path}": write the path without the leading /, as "${path.replace(/^\/+/, '')}"`;
  if (path.split(':tag').length > 2) return `"${path}": may name :tag once`;
  if (path.includes(':tag') && !/^[^:]+\/.*:tag/.test(path))
    return `"${path}": put :tag inside a folder of its own, such as "tags/:tag/index.xml", so no tag's feed can take a file of the site`;
  const segments = path.replace(/\/$/, '').split('/');
  const unsafe = segments.some(
    (segment) => segment === '.' || segment === '..' || !/^[A-Za-z0-9._~-]+$/.test(segment.replace(':tag', 'tag')),
  );
  if (unsafe)
    return `"${path}": must be a path below the site root made of letters, digits, - _ . ~ and /, without empty, . or .. parts, ${FEED_PATH_EXAMPLES}`;
  const ending = path.endsWith('/') ? '/' : /\.(xml|rss|atom|json)$/.exec(path)?.[1];
  if (ending === undefined)
    return `"${path}": must end in .xml, .rss, .atom or .json, or in / for a folder address ${FEED_PATH_EXAMPLES}`;
  const fits = ending === '/' || (ending === 'xml' ? format !== 'json' : ending === format);
  if (!fits)
    return format === 'json'
      ? `"${path}": JSON Feed needs a .json name or a folder address (ending in /), such as "feed.json"`
      : `"${path}": a .${ending} file holds ${ending === 'json' ? 'JSON Feed' : ending === 'rss' ? 'RSS' : 'Atom'}; write "${ending}", or use a .xml name for ${format}`;
  if (path === 'sitemap.xml' || path.startsWith('sitemaps/'))
    return `"${path}" is the site's sitemap; choose another path`;
  if (ending === '/' && PAGE_FOLDERS.some((folder) => path.startsWith(folder)))
    return `"${path}" is a folder of the site's own pages (${PAGE_FOLDERS.join(', ')}); choose another folder, such as "feed/"`;
  return undefined;
};

const feedPaths = z
  .record(z.string(), z.unknown(), {
    error: 'must be an object of site paths and formats, e.g. { "index.xml": "rss", "feed.xml": "atom" }',
  })
  .superRefine((paths, context) => {
    for (const [path, format] of Object.entries(paths)) {
      const message = feedPathProblem(path, format);
      if (message) context.addIssue({ code: 'custom', message });
    }
  })
  .transform((paths) => paths as Record<string, FeedFormat>);

const schema = z
  .object({
    title: z.string().trim().min(1, 'must not be empty'),
    description: z.string().default(''),
    baseUrl: httpUrl,
    siteUrl: siteAddress.optional(),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or en-GB')
      .default('en'),
    author: z
      .object({ name: z.string().trim().min(1), email: z.string().email().optional(), url: httpUrl.optional() })
      .strict()
      .optional(),
    feedSize: z.number().int().min(1).max(500).default(20),
    pageSize: z.number().int().min(1).max(500).default(20),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC').default('UTC'),
    permalink: httpUrl
      .refine((value) => value.includes(':slug'), 'must contain :slug so every post gets its own link')
      .optional(),
    idScheme: z.enum(['tag', 'generator']).optional(),
    feedPaths: feedPaths.optional(),
    maxPostBytes: z
      .number()
      .int()
      .min(1024)
      .max(300 * 1024)
      .default(256 * 1024),
    domain: z
      .object({
        name: z
          .string()
          .regex(HOST_NAME, 'must be a bare host name such as news.example.org (no https://, path or trailing dot)')
          .transform((name) => name.toLowerCase()),
        certificateArn,
      })
      .strict()
      .optional(),
    mail: z
      .object({
        from: z.string().email('must be the sender address alone, e.g. news@example.org'),
        fromName: z.string().trim().min(1).max(100).optional(),
        replyTo: z.string().email().optional(),
        postalAddress: z.string().trim().min(1, 'must not be empty: bulk-mail law (CAN-SPAM) requires it'),
        welcomeMail: z.boolean().optional(),
      })
      .strict()
      .optional(),
    digest: z
      .object({
        cadence: z.enum(['immediate', 'daily', 'weekly']).default('weekly'),
        day: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).default('monday'),
        time: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 08:00')
          .default('08:00'),
        timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC').optional(),
        minPosts: z.number().int().min(1).max(50).default(1),
        maxPosts: z.number().int().min(1).max(50).default(20),
      })
      .strict()
      .optional(),
    iframeHosts: z
      .array(z.string().regex(/^[a-z0-9.-]+$/, 'must be a bare host name such as www.youtube-nocookie.com'))
      .default(['www.youtube-nocookie.com', 'www.youtube.com', 'player.vimeo.com']),
  })
  .strict();

const DEFAULT_DIGEST = {
  cadence: 'weekly',
  day: 'monday',
  time: '08:00',
  minPosts: 1,
  maxPosts: 20,
} as const satisfies Omit<DigestConfig, 'timeZone'>;

/** The digest settings a site has when its config says nothing (for code that builds a SiteConfig itself). */
export const defaultDigestConfig = (timeZone = 'UTC'): DigestConfig => ({ ...DEFAULT_DIGEST, timeZone });

/** The raw shape accepted in `site.config.json` (optional keys take their defaults). */
export type SiteConfigInput = z.input<typeof schema>;

/**
 * Validates site settings and fills in defaults, listing every bad key at once.
 * @example parseSiteConfig({ title: 'Notes', baseUrl: 'https://notes.example' }).feedSize // 20
 */
export const parseSiteConfig = (input: unknown, source = 'site config'): SiteConfig => {
  const result = schema.safeParse(input);
  const problems = [
    ...(result.success ? [] : result.error.issues).map((issue) => ({
      key: issue.path.join('.'),
      message: issue.message,
    })),
    ...domainMismatch(input),
  ];
  if (!result.success || problems.length > 0) {
    const lines = problems.map(({ key, message }) => `  ${key || '(root)'}: ${message}`);
    throw new ConfigError(`${source} has ${lines.length} problem(s):\n${lines.join('\n')}`);
  }
  const { author, permalink, domain, mail, digest, siteUrl, idScheme, feedPaths, ...rest } = result.data;
  const config: SiteConfig = {
    ...rest,
    // With a domain, baseUrl was checked to be this address, up to the case of the host.
    baseUrl: domain ? `https://${domain.name}/` : rest.baseUrl.endsWith('/') ? rest.baseUrl : `${rest.baseUrl}/`,
    ...(author ? { author: stripUndefined(author) } : {}),
    ...(permalink ? { permalink } : {}),
    ...(idScheme ? { idScheme } : {}),
    ...(feedPaths && Object.keys(feedPaths).length > 0 ? { feedPaths } : {}),
    ...(siteUrl ? { siteUrl: siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/` } : {}),
    ...(domain ? { domain } : {}),
    ...(mail ? { mail: { ...stripUndefined(mail), fromName: mail.fromName ?? rest.title } } : {}),
    digest: { ...DEFAULT_DIGEST, ...stripUndefined(digest ?? {}), timeZone: digest?.timeZone ?? rest.timeZone },
  };
  return config;
};

/**
 * With a custom domain, `baseUrl` must be `https://<domain.name>/`: every link in feeds and mail is built from
 * `baseUrl`, and the distribution serves the site at the root of that host only. Checked on the raw input, beside the
 * schema, so the mismatch is listed together with any other problem (a zod refinement on the whole object would not
 * run while a field is invalid). Either value already invalid on its own is left to the schema to report.
 */
const domainMismatch = (input: unknown): { key: string; message: string }[] => {
  if (typeof input !== 'object' || input === null) return [];
  const { baseUrl, domain } = input as { baseUrl?: unknown; domain?: { name?: unknown } };
  const name = domain?.name;
  if (typeof baseUrl !== 'string' || typeof name !== 'string' || !HOST_NAME.test(name)) return [];
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return [];
  }
  const expected = `https://${name.toLowerCase()}/`;
  const matches = url.protocol === 'https:' && url.host === name.toLowerCase() && url.pathname === '/';
  return matches && url.search === '' && url.hash === ''
    ? []
    : [
        {
          key: 'baseUrl',
          message: `must be ${expected} when domain.name is ${name}, the address the site is served at`,
        },
      ];
};

const stripUndefined = <T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
