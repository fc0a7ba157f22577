import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { DigestConfig, SiteConfig } from './types.ts';

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

const schema = z
  .object({
    title: z.string().trim().min(1, 'must not be empty'),
    description: z.string().default(''),
    baseUrl: httpUrl,
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
    maxPostBytes: z
      .number()
      .int()
      .min(1024)
      .max(300 * 1024)
      .default(256 * 1024),
    mail: z
      .object({
        from: z.string().email('must be the sender address alone, e.g. news@example.org'),
        fromName: z.string().trim().min(1).max(100).optional(),
        replyTo: z.string().email().optional(),
        postalAddress: z.string().trim().min(1, 'must not be empty: bulk-mail law (CAN-SPAM) requires it'),
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
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      return `  ${key}: ${issue.message}`;
    });
    throw new ConfigError(`${source} has ${lines.length} problem(s):\n${lines.join('\n')}`);
  }
  const { author, permalink, mail, digest, ...rest } = result.data;
  const config: SiteConfig = {
    ...rest,
    baseUrl: rest.baseUrl.endsWith('/') ? rest.baseUrl : `${rest.baseUrl}/`,
    ...(author ? { author: stripUndefined(author) } : {}),
    ...(permalink ? { permalink } : {}),
    ...(mail ? { mail: { ...stripUndefined(mail), fromName: mail.fromName ?? rest.title } } : {}),
    digest: { ...DEFAULT_DIGEST, ...stripUndefined(digest ?? {}), timeZone: digest?.timeZone ?? rest.timeZone },
  };
  return config;
};

const stripUndefined = <T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
