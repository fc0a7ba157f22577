/** The longest slug `slugify` produces; long titles make unwieldy URLs. */
export const MAX_SLUG_LENGTH = 80;

/**
 * A URL-safe slug: ASCII letters and digits separated by single hyphens. Accents are folded (`Café` -> `cafe`).
 * Text with no ASCII letters or digits at all (a title in Japanese, say) gets `post-` and a short stable hash of
 * the text, so it still has a slug and the same text always gets the same one.
 * @example slugify('Crème brûlée, à la carte!') // 'creme-brulee-a-la-carte'
 */
export const slugify = (text: string): string => {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[œŒ]/g, 'oe')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
  const hyphenated = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const trimmed = hyphenated.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
  return trimmed === '' ? `post-${hashText(text.trim())}` : trimmed;
};

export type SlugCheck = { ok: true; slug: string } | { ok: false; reason: string };

/**
 * Checks a slug the author set in front matter and brings it to the slug alphabet. Anything that could reach
 * another path (`/`, `\`, `..`) is refused rather than cleaned, because the author clearly meant something else.
 * @example checkAuthorSlug('My Post') // { ok: true, slug: 'my-post' }
 */
export const checkAuthorSlug = (value: unknown): SlugCheck => {
  if (typeof value !== 'string' && typeof value !== 'number') return { ok: false, reason: 'the slug must be text' };
  const text = String(value).trim();
  if (text === '') return { ok: false, reason: 'the slug is empty' };
  if (/[/\\]/.test(text) || text.includes('..')) {
    return { ok: false, reason: `the slug "${text}" contains a path separator or ".."` };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return { ok: false, reason: 'the slug contains control characters' };
  return { ok: true, slug: slugify(text) };
};

/** FNV-1a, 32 bits, as 8 hex digits: stable across runtimes, and enough to tell titles apart within one site. */
const hashText = (text: string): string => {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
};

/**
 * What a post's file is called: its file name without the Markdown extension, or for a page bundle
 * (`hello/index.md`) its folder's name; undefined for an `index.md` at the root.
 * @example pageNameOf('2024/2024-11-14-Hello-World.md') // '2024-11-14-Hello-World'
 */
export const pageNameOf = (sourcePath: string): string | undefined => {
  const segments = sourcePath.split('/').filter((segment) => segment !== '');
  const stem = (segments.at(-1) ?? '').replace(/\.(md|markdown)$/i, '');
  return stem === 'index' || stem === '_index' ? segments.at(-2) : stem;
};

/**
 * The slug Hugo would give a post: its file name without the extension and a Jekyll date prefix; for a page
 * bundle (`hello/index.md`), the folder name.
 * @example slugFromPath('2024/2024-11-14-Hello-World.md', 'Hello') // 'hello-world'
 */
export const slugFromPath = (sourcePath: string, title: string): string => {
  const undated = pageNameOf(sourcePath)?.replace(/^\d{4}-\d{2}-\d{2}-/, '');
  return undated ? slugify(undated) : slugify(title);
};
