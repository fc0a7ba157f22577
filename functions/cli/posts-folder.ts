/**
 * Reading the author's side for the CLI: the site settings file and a folder of posts, as the build, lint and
 * digest preview commands all need them.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { listFiles } from '../adapters/list-files.ts';
import { ConfigError, describeError } from '../core/errors.ts';
import type { SourceFile } from '../core/posts/build-batch.ts';
import { notAPostReason, sourceKindOf } from '../core/posts/source-kind.ts';
import { readContentContext } from '../core/posts/templating/site-files.ts';
import type { ContentContext } from '../core/posts/templating/template-context.ts';
import { parseSiteConfig } from '../core/site-config.ts';
import type { Problem, SiteConfig } from '../core/types.ts';

export const loadSite = async (path: string, baseUrl: string | undefined): Promise<SiteConfig> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`cannot read the site settings at ${path}; create it or pass --config <file>`);
  }
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${describeError(error)}`);
  }
  // An address given here replaces the public one, custom domain included (links must point at this address).
  const { domain: _domain, ...withoutDomain } = input;
  return parseSiteConfig(baseUrl ? { ...withoutDomain, baseUrl } : input, path);
};

/**
 * The posts and assets of a folder, and what its site files (a Jekyll `_config.yml`, a Hugo config, shortcode
 * templates, includes) give the posts. `problems` are the site files' own (a settings file that cannot be read).
 */
export const readFolder = async (
  dir: string,
): Promise<{
  posts: SourceFile[];
  assets: string[];
  content: ContentContext;
  problems: Problem[];
  /** Markdown files that are not posts (section and index pages, drafts), with why. */
  notPosts: { path: string; reason: string }[];
}> => {
  let paths: string[];
  try {
    paths = await listFiles(dir);
  } catch {
    throw new ConfigError(`cannot read the posts folder ${dir}`);
  }
  const postPaths = paths.filter((path) => sourceKindOf(path) === 'post');
  const assets = paths.filter((path) => sourceKindOf(path) === 'asset');
  const posts = await mapLimit(postPaths, IO_CONCURRENCY, async (sourcePath) => {
    const [bytes, info] = await Promise.all([readFile(join(dir, sourcePath)), stat(join(dir, sourcePath))]);
    return { sourcePath, bytes, undatedAt: info.mtime };
  });
  const siteFiles = await mapLimit(
    paths.filter((path) => sourceKindOf(path) === 'site-file'),
    IO_CONCURRENCY,
    async (path) => ({ path, text: await readFile(join(dir, path), 'utf8') }),
  );
  const read = readContentContext(siteFiles, postPaths);
  const notPosts = paths.flatMap((path) => {
    const reason = notAPostReason(path);
    return reason ? [{ path, reason }] : [];
  });
  return { posts, assets, content: { ...read.content, files: paths }, problems: read.problems, notPosts };
};

/** File system calls in flight at once: enough to keep the disk busy, few enough to stay far from fd limits. */
export const IO_CONCURRENCY = 64;

export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** Whether a relative path stays inside a folder once resolved. */
export const insideFolder = (folder: string, path: string): boolean => {
  const target = resolve(folder, path);
  return target.startsWith(folder.endsWith(sep) ? folder : folder + sep);
};
