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

type Env = Record<string, string | undefined>;

const requireVariables = (env: Env, names: string[]): void => {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`missing environment variable(s): ${missing.join(', ')} (the stack sets them; see cdk/)`);
  }
};

const readSite = (env: Env): SiteConfig => {
  let siteJson: unknown;
  try {
    siteJson = JSON.parse(env.SITE_CONFIG ?? '');
  } catch (error) {
    throw new ConfigError('SITE_CONFIG is not valid JSON', { cause: error });
  }
  return parseSiteConfig(siteJson, 'SITE_CONFIG');
};

export const readPublisherEnvironment = (env: Env = process.env): PublisherEnvironment => {
  requireVariables(env, ['CONTENT_BUCKET_NAME', 'STATE_TABLE_NAME', 'SITE_CONFIG']);
  return {
    bucket: env.CONTENT_BUCKET_NAME ?? '',
    tableName: env.STATE_TABLE_NAME ?? '',
    postsPrefix: env.POSTS_PREFIX ?? 'posts/',
    sitePrefix: env.SITE_PREFIX ?? 'site/',
    site: readSite(env),
  };
};

/** The table, the site and the token secret: what every function that handles subscribers or links reads. */
interface LinkEnvironment {
  tableName: string;
  site: SiteConfig;
  tokenSecretArn: string;
}

const LINK_VARIABLES = ['STATE_TABLE_NAME', 'SITE_CONFIG', 'TOKEN_SECRET_ARN'];

/** Reads the link variables and `extra` ones, having checked that all of them are set (listing every one missing). */
const readLinkEnvironment = (env: Env, extra: string[]): LinkEnvironment => {
  requireVariables(env, [...LINK_VARIABLES, ...extra]);
  return { tableName: env.STATE_TABLE_NAME ?? '', site: readSite(env), tokenSecretArn: env.TOKEN_SECRET_ARN ?? '' };
};

/** What the subscription API reads: the table, the site, the token secret and the queue of subscribe requests. */
export interface SubscriptionApiEnvironment extends LinkEnvironment {
  queueUrl: string;
}

export const readSubscriptionApiEnvironment = (env: Env = process.env): SubscriptionApiEnvironment => ({
  ...readLinkEnvironment(env, ['SUBSCRIBE_QUEUE_URL']),
  queueUrl: env.SUBSCRIBE_QUEUE_URL ?? '',
});

/** What the confirmation sender reads: the table, the site, the token secret and the SES configuration set. */
export interface SubscriptionEnvironment extends LinkEnvironment {
  configurationSet: string;
}

export const readSubscriptionEnvironment = (env: Env = process.env): SubscriptionEnvironment => ({
  ...readLinkEnvironment(env, ['SES_CONFIGURATION_SET']),
  configurationSet: env.SES_CONFIGURATION_SET ?? '',
});

/** The feedback function (and the pause function) need only the table. */
export interface FeedbackEnvironment {
  tableName: string;
}

export const readFeedbackEnvironment = (env: Env = process.env): FeedbackEnvironment => {
  requireVariables(env, ['STATE_TABLE_NAME']);
  return { tableName: env.STATE_TABLE_NAME ?? '' };
};

/** The digest planner: the table, the site (with its digest settings) and the recipient queue. */
export interface PlannerEnvironment {
  tableName: string;
  site: SiteConfig;
  queueUrl: string;
}

export const readPlannerEnvironment = (env: Env = process.env): PlannerEnvironment => {
  requireVariables(env, ['STATE_TABLE_NAME', 'SITE_CONFIG', 'DIGEST_QUEUE_URL']);
  return { tableName: env.STATE_TABLE_NAME ?? '', site: readSite(env), queueUrl: env.DIGEST_QUEUE_URL ?? '' };
};

export interface SenderEnvironment extends SubscriptionEnvironment {
  /** Sender instances that may run at once (the queue trigger's maximum concurrency). */
  concurrency: number;
}

export const readSenderEnvironment = (env: Env = process.env): SenderEnvironment => {
  const links = readLinkEnvironment(env, ['SES_CONFIGURATION_SET', 'SENDER_CONCURRENCY']);
  const concurrency = Number(env.SENDER_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`SENDER_CONCURRENCY must be a whole number of at least 1, not "${env.SENDER_CONCURRENCY}"`);
  }
  return { ...links, configurationSet: env.SES_CONFIGURATION_SET ?? '', concurrency };
};
