import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { listFiles } from '../adapters/list-files.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { type Logger, silentLogger } from '../app/logger.ts';
import { parseSiteConfig } from '../core/site-config.ts';
import type { SiteConfig } from '../core/types.ts';
import { startDevServer } from './dev-server.ts';
import { type LocalPublisher, POSTS_PREFIX, SITE_PREFIX, startLocalPublisher } from './local-publisher.ts';
import { type StandIns, startStandIns } from './stand-ins.ts';

export interface LocalSite {
  standIns: StandIns;
  publisher: LocalPublisher;
  site: SiteConfig;
  /** Where the dev server serves the site, e.g. `http://localhost:8787/`. */
  url: string;
  /** Uploads content/posts/<path> to the bucket as an author would (the bucket's event does the rest). */
  upload(path: string): Promise<void>;
  /** Deletes posts/<path> from the bucket. */
  remove(path: string): Promise<void>;
  /** Uploads every file of content/posts and waits until all of it is published. */
  publishAll(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * What `npm start` runs, and what its end-to-end test runs: the stand-ins, the dev server, and the publish
 * handler wired to the bucket's events, for the repository at `root` (site.config.json, content/, templates/).
 */
export const startLocalSite = async (options: { root: string; port: number; log?: Logger }): Promise<LocalSite> => {
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
  });
  // The site's links must point at this server, whatever port it got.
  const site = parseSiteConfig({ ...siteInput, baseUrl: dev.url }, 'site.config.json');
  const publisher = startLocalPublisher(standIns, site, {
    staticFiles: await loadSiteTemplates(join(options.root, 'templates', 'site')),
    log: options.log ?? silentLogger,
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
