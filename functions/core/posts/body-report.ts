import { posix } from 'node:path';
import { lineLocator } from '../line-locator.ts';
import type { Problem } from '../types.ts';
import { decodeAttributeValue } from './sanitize.ts';

/**
 * What the author should hear about a post body once it is rendered: what cleaning removed (scripts, event
 * handlers, forms, iframes from hosts not allowed, other embedded objects) and relative images that point at no
 * uploaded file. All are warnings: the post publishes without them, and the author learns why they are missing.
 */

const REMOVED: { name: string; what: string; plural: string; pattern: RegExp; fix: string }[] = [
  {
    name: 'script',
    what: 'a script element',
    plural: 'script elements',
    pattern: /<script\b/gi,
    fix: 'Posts cannot run scripts; link to what the script showed instead.',
  },
  {
    name: 'handler',
    what: 'an event handler attribute (onclick, onerror, …)',
    plural: 'event handler attributes (onclick, onerror, …)',
    pattern: /<[a-z][^>]*?\son[a-z]+\s*=/gi,
    fix: 'Posts cannot run scripts; remove the attribute.',
  },
  {
    name: 'javascript',
    what: 'a javascript: link',
    plural: 'javascript: links',
    pattern: /\s(?:href|src)\s*=\s*["']?\s*javascript:/gi,
    fix: 'Link to a web address instead.',
  },
  {
    name: 'form',
    what: 'a form',
    plural: 'forms',
    pattern: /<form\b/gi,
    fix: 'Forms do not work in feeds or mail; link to the form on another page instead.',
  },
  {
    name: 'embed',
    what: 'an object, embed or style element',
    plural: 'object, embed or style elements',
    pattern: /<(?:object|embed|applet|style)\b/gi,
    fix: 'Replace it with an image or a link.',
  },
];

/** The file line of an offset in the body. */
const fileLine = (context: { body: string; bodyLine: number }, offset: number): number =>
  lineLocator(context.body)(offset) + context.bodyLine - 1;

const ANYTHING_REMOVABLE = /<(?:script|form|object|embed|applet|style|iframe)\b|\son[a-z]+\s*=|javascript:/i;

/**
 * @param rendered the post's HTML as Markdown gave it, before cleaning
 * @param cleaned the same HTML after cleaning
 * @param body the Markdown source, to find the line of what was removed
 */
export const reportRemovedMarkup = (
  rendered: string,
  cleaned: string,
  context: { file: string; body: string; bodyLine: number; iframeHosts: readonly string[] },
): Problem[] => {
  // Most posts have none of it: one scan decides, instead of one per kind.
  if (!ANYTHING_REMOVABLE.test(rendered)) return [];
  const problems: Problem[] = [];
  const lineOf = (pattern: RegExp): number | undefined => {
    const found = new RegExp(pattern.source, 'i').exec(context.body);
    return found ? fileLine(context, found.index) : undefined;
  };
  for (const kind of REMOVED) {
    const count = rendered.match(kind.pattern)?.length ?? 0;
    if (count === 0) continue;
    const line = lineOf(kind.pattern);
    problems.push({
      file: context.file,
      ...(line === undefined ? {} : { line }),
      field: 'body',
      message: `${count === 1 ? `${capitalize(kind.what)} was` : `${count} ${kind.plural} were`} removed from the post.`,
      fix: kind.fix,
      severity: 'warning',
    });
  }
  const frames = rendered.match(/<iframe\b/gi)?.length ?? 0;
  const kept = cleaned.match(/<iframe\b[^>]*\ssrc=/gi)?.length ?? 0;
  if (frames > kept) {
    const line = lineOf(/<iframe\b/);
    problems.push({
      file: context.file,
      ...(line === undefined ? {} : { line }),
      field: 'body',
      message: `${frames - kept === 1 ? 'An embedded frame (iframe) was' : `${frames - kept} embedded frames were`} removed: only frames from ${context.iframeHosts.join(', ') || 'no host'} are kept.`,
      fix: 'Link to the page instead, or add its host to iframeHosts in the site settings.',
      severity: 'warning',
    });
  }
  return problems;
};

/**
 * Relative images (`cover.png`, `../img/a.jpg`) whose file is not among the uploaded files. Root-relative and
 * absolute addresses are not checked: they may be served from elsewhere.
 */
export const reportMissingImages = (
  rendered: string,
  context: { file: string; body: string; bodyLine: number; files: readonly string[] },
): Problem[] => {
  const uploaded = uploadedSet(context.files);
  const folder = posix.dirname(context.file);
  const missing: { src: string; path: string; line?: number }[] = [];
  const seen = new Set<string>();
  for (const match of rendered.matchAll(/<img\b[^>]*?\ssrc="([^"]*)"/gi)) {
    const src = decodeAttributeValue(match[1] ?? '');
    if (src === '' || /^(?:[a-z][a-z0-9+.-]*:|\/|#)/i.test(src) || seen.has(src)) continue;
    seen.add(src);
    let path: string;
    try {
      path = posix.normalize(posix.join(folder, decodeURIComponent(src.split(/[?#]/)[0] ?? '')));
    } catch {
      continue;
    }
    if (uploaded.has(path)) continue;
    const at = context.body.indexOf(src);
    missing.push({ src, path, ...(at === -1 ? {} : { line: fileLine(context, at) }) });
  }
  const [first] = missing;
  if (!first) return [];
  // One line for the post, however many images: an author fixes them together (a folder not uploaded, say).
  if (missing.length === 1) {
    return [
      {
        file: context.file,
        ...(first.line === undefined ? {} : { line: first.line }),
        field: 'body',
        message: `The image "${first.src}" points at ${first.path}, which is not among the uploaded files, so readers will see a broken image.`,
        fix: `Upload the image as ${first.path}, or correct the path.`,
        severity: 'warning',
      },
    ];
  }
  const named = missing
    .slice(0, 3)
    .map(({ path, line }) => (line === undefined ? path : `${path} (line ${line})`))
    .join(', ');
  const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
  return [
    {
      file: context.file,
      ...(first.line === undefined ? {} : { line: first.line }),
      field: 'body',
      message: `${missing.length} images point at files that are not among the uploaded files (${named}${more}), so readers will see broken images.`,
      fix: 'Upload the images at those paths beside the post, or correct the paths.',
      severity: 'warning',
    },
  ];
};

/** One lookup set per list of files: every post of a batch shares the list, and a folder may hold thousands. */
const uploadedSets = new WeakMap<readonly string[], Set<string>>();
const uploadedSet = (files: readonly string[]): Set<string> => {
  let set = uploadedSets.get(files);
  if (!set) {
    set = new Set(files);
    uploadedSets.set(files, set);
  }
  return set;
};

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
