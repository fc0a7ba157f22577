import { ConfigError } from '../core/errors.ts';
import { parseSiteConfig } from '../core/site-config.ts';
import type { SiteConfig } from '../core/types.ts';

/** Everything a deployed function reads from its environment, read once and checked, naming any bad variable. */
export interface PublisherEnvironment {
  bucket: string;
  tableName: string;
  postsPrefix: string;
  sitePrefix: string;
  site: SiteConfig;
}

export const readPublisherEnvironment = (
  env: Record<string, string | undefined> = process.env,
): PublisherEnvironment => {
  const missing = ['CONTENT_BUCKET_NAME', 'STATE_TABLE_NAME', 'SITE_CONFIG'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`missing environment variable(s): ${missing.join(', ')} (the stack sets them; see cdk/)`);
  }
  let siteJson: unknown;
  try {
    siteJson = JSON.parse(env.SITE_CONFIG ?? '');
  } catch (error) {
    throw new ConfigError('SITE_CONFIG is not valid JSON', { cause: error });
  }
  return {
    bucket: env.CONTENT_BUCKET_NAME ?? '',
    tableName: env.STATE_TABLE_NAME ?? '',
    postsPrefix: env.POSTS_PREFIX ?? 'posts/',
    sitePrefix: env.SITE_PREFIX ?? 'site/',
    site: parseSiteConfig(siteJson, 'SITE_CONFIG'),
  };
};
