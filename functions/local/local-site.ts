import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { listFiles } from '../adapters/list-files.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { type Logger, silentLogger } from '../app/logger.ts';
import { createSubscriptionDeps } from '../app/subscription-deps.ts';
import { importSubscribers, type SubscriptionDeps, welcomeThroughQueue } from '../app/subscriptions.ts';
import { parseSiteConfig } from '../core/site-config.ts';
import { parseSubscriberCsv } from '../core/subscribers/subscriber-csv.ts';
import type { SiteConfig } from '../core/types.ts';
import { createSubscriptionHandler } from '../handlers/create-subscription-handler.ts';
import { type DevRoute, startDevServer } from './dev-server.ts';
import { sendApiResult, toApiEvent } from './http-bridge.ts';
import { createLocalSubscribeRequests } from './local-confirmations.ts';
import { createLocalDigests, type LocalDigests } from './local-digests.ts';
import { type LocalPublisher, POSTS_PREFIX, SITE_PREFIX, startLocalPublisher } from './local-publisher.ts';
import { createOutboxMailer, handleOutboxRequest } from './outbox.ts';
import { type StandIns, startStandIns } from './stand-ins.ts';

export interface LocalSite {
  standIns: StandIns;
  publisher: LocalPublisher;
  site: SiteConfig;
  /** Where the dev server serves the site, e.g. `http://localhost:8787/`. */
  url: string;
  /** Where every message that would go to SES is written, one .eml file each (shown at `<url>_outbox/`). */
  outboxDir: string;
  /** The subscription use cases' dependencies, as the API and the confirmation sender get them (list, outbox mailer, token key). */
  subscriptions: SubscriptionDeps;
  /** The digest planner and sender, sending into the outbox. */
  digests: LocalDigests;
  /** The token key of this run (links in its mail work only against it). */
  tokenKey: Uint8Array;
  /** Imports a subscriber CSV as the operator would with consent attested (the sample readers). */
  importSubscribers(path: string): Promise<number>;
  /** Uploads content/posts/<path> to the bucket as an author would (the bucket's event does the rest). */
  upload(path: string): Promise<void>;
  /** Deletes posts/<path> from the bucket. */
  remove(path: string): Promise<void>;
  /** Uploads every file of content/posts and waits until all of it is published. */
  publishAll(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * What `npm start` runs, and what its end-to-end test runs: the stand-ins, the dev server, the publish handler
 * wired to the bucket's events, and the subscription API on `/api/*` sending into a local outbox, for the
 * repository at `root` (site.config.json, content/, templates/). The outbox starts empty on every run, like the list.
 */
export const startLocalSite = async (options: {
  root: string;
  port: number;
  log?: Logger;
  /** Default `<root>/.local/outbox`. */
  outboxDir?: string;
}): Promise<LocalSite> => {
  const postsDir = join(options.root, 'content', 'posts');
  const siteInput = JSON.parse(await readFile(join(options.root, 'site.config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const standIns = await startStandIns();
  const dev = await startDevServer({
    s3: standIns.s3,
    bucket: standIns.bucket,
    sitePrefix: SITE_PREFIX,
    port: options.port,
  }).catch(async (error: unknown) => {
    await standIns.close();
    throw error;
  });
  // The site's links must point at this server, whatever port it got.
  // The local run's own address replaces the public one (and with it any custom domain).
  const { domain: _domain, ...localInput } = siteInput;
  const site = parseSiteConfig({ ...localInput, baseUrl: dev.url }, 'site.config.json');
  const outboxDir = options.outboxDir ?? join(options.root, '.local', 'outbox');
  await rm(outboxDir, { recursive: true, force: true });
  // A fresh key per run: links in mail from an earlier run would point at a list that no longer exists anyway.
  const tokenKey = randomBytes(32);
  const mailTemplates = await loadMailTemplates(join(options.root, 'templates', 'mail'));
  const mailer = createOutboxMailer(outboxDir);
  const store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo });
  const log = options.log ?? silentLogger;
  const subscriptions = await createSubscriptionDeps({ store, mailer, site, tokenKey, mailTemplates, log });
  const digests = createLocalDigests({ standIns, site, mailer, tokenKey, mailTemplates, log });
  // As deployed: the API queues subscribe and welcome requests, and the confirmation sender mails them.
  const requests = createLocalSubscribeRequests(subscriptions);
  const api = createSubscriptionHandler({ ...subscriptions, requests, sendWelcome: welcomeThroughQueue(requests) });
  const apiRoute: DevRoute = async (request, response) => {
    if (!new URL(request.url ?? '/', 'http://local').pathname.startsWith('/api/')) return false;
    sendApiResult(response, await api(await toApiEvent(request)));
    return true;
  };
  dev.setRoutes([apiRoute, (request, response) => handleOutboxRequest(request, response, outboxDir, digests.preview)]);
  const publisher = startLocalPublisher(standIns, site, {
    staticFiles: await loadSiteTemplates(join(options.root, 'templates', 'site')),
    log,
    mailQueue: digests.mailQueue,
  });
  const upload = async (path: string): Promise<void> => {
    const body = await readFile(join(postsDir, path));
    await standIns.s3.send(new PutObjectCommand({ Bucket: standIns.bucket, Key: POSTS_PREFIX + path, Body: body }));
  };
  return {
    standIns,
    publisher,
    site,
    url: dev.url,
    outboxDir,
    subscriptions,
    digests,
    tokenKey,
    importSubscribers: async (path) => {
      const { rows } = parseSubscriberCsv(await readFile(path), basename(path));
      await importSubscribers(store, rows, { now: new Date(), file: basename(path), attested: true });
      return rows.length;
    },
    upload,
    remove: async (path) => {
      await standIns.s3.send(new DeleteObjectCommand({ Bucket: standIns.bucket, Key: POSTS_PREFIX + path }));
    },
    publishAll: async () => {
      const files = await listFiles(postsDir);
      await Promise.all(files.map(upload));
      await publisher.idle();
      return files;
    },
    close: async () => {
      await dev.close();
      await standIns.close();
    },
  };
};
