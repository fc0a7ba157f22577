import { createHash } from 'node:crypto';
import { sourceKindOf } from '../core/posts/source-kind.ts';
import { readContentContext } from '../core/posts/templating/site-files.ts';
import type { ContentContext } from '../core/posts/templating/template-context.ts';
import type { Problem } from '../core/types.ts';
import type { ContentStore } from './ports.ts';

/** The site files under the posts prefix, read for one invocation. */
export interface SiteContent {
  content: ContentContext;
  /** Problems in the site files themselves (a settings file that cannot be read). */
  problems: Problem[];
  /**
   * Changes whenever a site file does (not when a post is added): it is part of each post's recorded version, so
   * a post is parsed again once the settings or templates it was parsed with have changed.
   */
  fingerprint: string;
}

/**
 * Lists the posts prefix once and reads the site files in it (a Jekyll `_config.yml`, a Hugo config, shortcode
 * templates, includes), with the post paths as the source list references are resolved against and every uploaded
 * file. A post is parsed when it changes, not when a file beside it arrives: a bundle's images uploaded after its
 * `index.md` are published, but the post's templates and image check see them only at its next change.
 */
export const loadSiteContent = async (store: ContentStore): Promise<SiteContent> => {
  const kinds = (await store.listSources()).map((path) => ({ path, kind: sourceKindOf(path) }));
  const pathsOf = (...wanted: ReturnType<typeof sourceKindOf>[]) =>
    kinds.filter(({ kind }) => wanted.includes(kind)).map(({ path }) => path);
  const decoder = new TextDecoder();
  const files: { path: string; text: string }[] = [];
  for (const path of pathsOf('site-file')) {
    const object = await store.readSource(path);
    if (object) files.push({ path, text: decoder.decode(object.bytes) });
  }
  const hash = createHash('sha256');
  for (const file of files.sort((a, b) => a.path.localeCompare(b.path))) hash.update(`${file.path}\0${file.text}\0`);
  const read = readContentContext(files, pathsOf('post'));
  // Every uploaded file, as the CLI knows them: a page bundle's images for a template's .Page.Resources, and the
  // check that a post's relative images were uploaded.
  const uploaded = pathsOf('post', 'asset', 'site-file');
  return {
    ...read,
    content: { ...read.content, files: uploaded },
    fingerprint: files.length === 0 ? '' : hash.digest('hex').slice(0, 16),
  };
};

/** Calls `load` at most once, however often the result is asked for. */
export const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let result: Promise<T> | undefined;
  return () => {
    result ??= load();
    return result;
  };
};
