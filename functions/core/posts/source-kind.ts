import { siteFileKindOf } from './templating/site-files.ts';

/** Suffix of the author-facing report written beside a rejected post. */
export const REPORT_SUFFIX = '.report.txt';

// Files editors, sed and downloads write beside the real one and rename or delete a moment later.
const TEMP_NAMES: RegExp[] = [
  /^\./, // dotfiles: .x.md.swp, .#x.md (Emacs lock), .DS_Store, .x.md.tmp
  /~$/, // backups: x.md~
  /^#/, // Emacs auto-save: #x.md#
  /\.sw[a-px]$/i, // Vim swap files: x.md.swp, .swo, .swx
  /^4913$/, // Vim's probe that the folder is writable
  /^sed[A-Za-z0-9]{6}$/, // sed -i writes sedXXXXXX, then renames it over the file
  /\.(tmp|temp|crdownload|part|kate-swp)$/i,
  /___jb_(tmp|old)___$/, // JetBrains safe write
  /^(Thumbs\.db|desktop\.ini)$/i,
];

/**
 * Whether a path under the posts prefix (or content/posts locally) is an editor's or a tool's temporary file, or
 * sits in a hidden folder, rather than something to publish.
 */
export const isEditorTempFile = (path: string): boolean =>
  path
    .split(/[\\/]/)
    .filter((segment) => segment !== '')
    .some((segment, index, segments) =>
      index < segments.length - 1 ? segment.startsWith('.') : TEMP_NAMES.some((name) => name.test(segment)),
    );

/**
 * What an uploaded file under the posts prefix is: a Markdown post, our own report, an asset to publish as is,
 * a site file (settings and templates of a migrated Hugo or Jekyll site, read but never published), or something
 * to ignore (editor and OS litter).
 * @example sourceKindOf('2024/hello.md') // 'post'
 */
export const sourceKindOf = (sourcePath: string): 'post' | 'report' | 'asset' | 'site-file' | 'ignored' => {
  const name = sourcePath.slice(sourcePath.lastIndexOf('/') + 1);
  if (sourcePath.endsWith(REPORT_SUFFIX)) return 'report';
  if (name === '' || isEditorTempFile(sourcePath)) return 'ignored';
  if (siteFileKindOf(sourcePath)) return 'site-file';
  // A migrated site's page layouts, theme and styles: this publisher has its own, so they are neither read nor published.
  if (/^(?:_layouts|layouts|_sass|themes|archetypes)\//.test(sourcePath)) return 'ignored';
  if (/\.(md|markdown)$/i.test(name)) return notAPostReason(sourcePath) ? 'ignored' : 'post';
  return 'asset';
};

const JEKYLL_POST_NAME = /^\d{2,4}-\d{1,2}-\d{1,2}-.+\.(?:md|markdown)$/i;

/**
 * Why a Markdown file is not a post, where Hugo or Jekyll would not make it one either: Hugo's `_index.md` is a
 * section's list page (a leaf bundle's `index.md` is a post); Jekyll reads only `YYYY-MM-DD-title.md` files in
 * `_posts` as posts (so `_posts/index.md` is none) and publishes nothing from `_drafts`. Undefined for a post.
 * @example notAPostReason('content/blog/_index.md') // 'a Hugo section page (_index.md), which lists posts'
 */
export const notAPostReason = (sourcePath: string): string | undefined => {
  const segments = sourcePath.split('/').filter((segment) => segment !== '');
  const name = segments.at(-1) ?? '';
  const folders = segments.slice(0, -1);
  if (/^_index\.(?:md|markdown)$/i.test(name)) return 'a Hugo section page (_index.md), which lists posts';
  if (folders.includes('_drafts')) return 'a Jekyll draft, published once it moves to _posts/';
  if (folders.includes('_posts') && !JEKYLL_POST_NAME.test(name)) {
    return 'in _posts/ but not named YYYY-MM-DD-title.md, so Jekyll does not read it as a post';
  }
  return undefined;
};
