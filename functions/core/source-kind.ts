import { siteFileKindOf } from './templating/site-files.ts';

/** Suffix of the author-facing report written beside a rejected post. */
export const REPORT_SUFFIX = '.report.txt';

/**
 * What an uploaded file under the posts prefix is: a Markdown post, our own report, an asset to publish as is,
 * a site file (settings and templates of a migrated Hugo or Jekyll site, read but never published), or something
 * to ignore (editor and OS litter).
 * @example sourceKindOf('2024/hello.md') // 'post'
 */
export const sourceKindOf = (sourcePath: string): 'post' | 'report' | 'asset' | 'site-file' | 'ignored' => {
  const name = sourcePath.slice(sourcePath.lastIndexOf('/') + 1);
  if (sourcePath.endsWith(REPORT_SUFFIX)) return 'report';
  if (name === '' || name.startsWith('.') || name.endsWith('~') || name.startsWith('#')) return 'ignored';
  if (siteFileKindOf(sourcePath)) return 'site-file';
  // A migrated site's page layouts, theme and styles: this publisher has its own, so they are neither read nor published.
  if (/^(?:_layouts|layouts|_sass|themes|archetypes)\//.test(sourcePath)) return 'ignored';
  if (/\.(md|markdown)$/i.test(name)) return 'post';
  return 'asset';
};
