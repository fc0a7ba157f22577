/**
 * The "Field Notes" site the page tests render. Every call returns new objects, so no test can leak into another.
 */
import { defaultDigestConfig } from '../../functions/core/site-config.ts';
import type { MailConfig, SiteConfig } from '../../functions/core/types.ts';

/** The mail section of a Field Notes site that takes subscriptions. */
export const fieldNotesMail = (): MailConfig => ({
  from: 'news@notes.example',
  fromName: 'Field Notes',
  postalAddress: '1 Main St, Springfield',
});

/**
 * Field Notes without an author or a mail section, since some tests need a site without them: pass `author` and
 * `mail` (and a `baseUrl` of a local server) in `overrides`.
 */
export const fieldNotesSite = (overrides: Partial<SiteConfig> = {}): SiteConfig => ({
  digest: defaultDigestConfig(),
  title: 'Field Notes',
  description: 'Short essays on building small, durable software.',
  baseUrl: 'https://notes.example/blog/',
  language: 'en',
  feedSize: 20,
  pageSize: 10,
  timeZone: 'Europe/Berlin',
  maxPostBytes: 256 * 1024,
  iframeHosts: [],
  ...overrides,
});
