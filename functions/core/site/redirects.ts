/**
 * Old addresses of posts (Hugo `aliases`, jekyll-redirect-from `redirect_from`, the address before a rename) as alias
 * files of the public site, and the checks `cli lint` runs over them. Pure: values in, values out.
 *
 * One rule decides what may be sent as a redirect's Location, here (`isRedirectLocation`), in the dev server, and in
 * the CloudFront viewer-response function (cdk/constructs/site-distribution.ts), which cannot import it and repeats
 * it in plain JavaScript; tests/cdk/site-distribution.test.ts checks the two agree.
 */
import { FeedmailError } from '../errors.ts';
import { html } from '../html.ts';
import { fileNameKind } from '../paths.ts';
import type { Problem, PublicFile, SiteConfig } from '../types.ts';

/** An old address or a redirect target that cannot be used; the message names the value and says what to write. */
export class AliasError extends FeedmailError {
  override name = 'AliasError';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const INDEX = 'index.html';

const HOW_TO_WRITE = 'Write the old address as a path on this site, such as /2019/10/hello/ or /old/page.html.';
const HOW_TO_LEAD = 'Lead the old address to a page of this site, written as /2024/hello/, or to an https:// URL.';

/** Why a path as written (or as decoded) cannot name a file of the site, or undefined. */
const faultOf = (fromPath: string): string | undefined => {
  if (CONTROL.test(fromPath)) return 'it holds a control character';
  if (SCHEME.test(fromPath)) return 'it has a scheme (such as https:); give the path alone, without the host';
  if (fromPath.startsWith('//')) return 'it starts with "//", which browsers read as another host';
  if (fromPath.includes('?') || fromPath.includes('#'))
    return 'it has a query (?) or a fragment (#); an alias answers for a path only';
  if (fromPath.includes('\\')) return 'it holds a backslash, which browsers read as "/"';
  return undefined;
};

/** The file path of a site path (see `aliasPathOf`), the root (`index.html`) included; throws AliasError. */
const filePathOf = (fromPath: string): string => {
  const written = fromPath.trim();
  const fault = faultOf(written);
  if (fault) throw new AliasError(`The old address ${JSON.stringify(fromPath)} cannot be an alias: ${fault}.`);
  let decoded: string;
  try {
    // Request paths are percent-decoded once before they name an object (S3, the dev server): keys are decoded too.
    decoded = decodeURIComponent(written);
  } catch (cause) {
    throw new AliasError(
      `The old address ${JSON.stringify(fromPath)} cannot be an alias: it has a "%" that is not followed by two hexadecimal digits.`,
      { cause },
    );
  }
  const decodedFault = faultOf(decoded);
  if (decodedFault)
    throw new AliasError(
      `The old address ${JSON.stringify(fromPath)} cannot be an alias: once decoded, ${decodedFault}.`,
    );
  const segments = decoded.replace(/^\//, '').split('/');
  const last = segments.pop() ?? '';
  const dotted = (segment: string) => segment === '.' || segment === '..';
  if (segments.includes('') || segments.some(dotted) || dotted(last))
    throw new AliasError(
      `The old address ${JSON.stringify(fromPath)} cannot be an alias: it has an empty, "." or ".." segment, which no page of the site can have.`,
    );
  // As the edge's index rewrite decides (fileNameKind): /old/page.html and /index.xml are files, /notes/v1.2-release
  // is the page notes/v1.2-release.html, and anything without a dot a folder.
  const kind = fileNameKind([...segments, last].join('/'));
  if (kind === 'file' && last !== INDEX) return [...segments, last].join('/');
  if (kind === 'page') return [...segments, `${last}.html`].join('/');
  return [...segments, ...(last === '' || last === INDEX ? [] : [last]), INDEX].join('/');
};

/**
 * The file an old address lives in, below the site root: a folder address (`/a/b/`, `/a/b`, `a/b/index.html`) is
 * `a/b/index.html`, an address whose last segment has a dot (`/a/b.html`, `/index.xml`) is that file. The address
 * is percent-decoded once, as S3 decodes request paths into keys.
 * Throws AliasError, naming the value, for an address no alias may take: a scheme, a leading `//`, a query or
 * fragment, a control character or backslash, an empty, `.` or `..` segment, or the home page itself.
 * @example aliasPathOf('/2019/10/hello') // '2019/10/hello/index.html'
 */
export const aliasPathOf = (fromPath: string): string => {
  const path = filePathOf(fromPath);
  if (path === INDEX)
    throw new AliasError(
      `The old address ${JSON.stringify(fromPath)} cannot be an alias: it is the home page of this site.`,
    );
  return path;
};

/**
 * Whether a value may be sent as the Location of a redirect: printable ASCII only (no space, no control character),
 * and either a path of this host (one `/`, not `//` or `/\`, which browsers read as another host) or an http(s) URL.
 * The edge function and the dev server apply the same rule to the stored `redirect-to`; see `locationHeaderOf`.
 * @example isRedirectLocation('//evil.example/') // false
 */
export const isRedirectLocation = (value: string): boolean =>
  /^[\x21-\x7e]+$/.test(value) && (/^\/(?![/\\])/.test(value) || /^https?:\/\//i.test(value));

/**
 * A redirect target as an HTTP header can carry it: every character outside printable ASCII (spaces, accents)
 * percent-encoded as UTF-8, everything else left as it is (so `%C3%A9` already encoded stays so).
 * @example locationHeaderOf('/posts/café/') // '/posts/caf%C3%A9/'
 */
export const locationHeaderOf = (target: string): string =>
  target.replace(/[^\x21-\x7e]/gu, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: the replacement character, as a browser would send it
    }
  });

/** The absolute URL a target names: a site path is resolved against the site's address; throws AliasError. */
const absoluteUrlOf = (target: string, site: Pick<SiteConfig, 'baseUrl'>): string => {
  const refuse = (cause?: unknown) =>
    new AliasError(
      `The redirect target ${JSON.stringify(target)} is neither a path of this site starting with one "/" nor an http(s) URL. Give the new address as /2024/hello/ or https://...`,
      { cause },
    );
  if (!isRedirectLocation(locationHeaderOf(target))) throw refuse();
  try {
    return target.startsWith('/') ? new URL(target.slice(1), site.baseUrl).href : new URL(target).href;
  } catch (cause) {
    throw refuse(cause); // an http(s) URL with a host no URL can have
  }
};

/**
 * The alias file of an old address: at `aliasPathOf(fromPath)`, a small page in the manner of Hugo's alias
 * template (canonical link, noindex, an immediate meta refresh to the absolute target) for static hosts, with
 * `redirectTo` set to `target` as given, so that the edge and the local run answer 301 instead.
 * `target` is a site path (`/2024/hello/`, resolved against `baseUrl` in the page) or an absolute http(s) URL.
 * Throws AliasError for an old address `aliasPathOf` refuses, or a target that is neither.
 * @example aliasFile('/2019/10/hello.html', '/posts/hello/', site) // { path: '2019/10/hello.html', redirectTo: '/posts/hello/', body: '<!doctype html>...' }
 */
export const aliasFile = (fromPath: string, target: string, site: Pick<SiteConfig, 'baseUrl'>): PublicFile => {
  const path = aliasPathOf(fromPath);
  const url = absoluteUrlOf(target, site);
  const body = html`<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>${url}</title>
<link rel="canonical" href="${url}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url=${url}">
</head>
<body><p>This page has moved to <a href="${url}">${url}</a>.</p></body>
</html>
`;
  return { path, body: body.value, redirectTo: target };
};

/** One redirect as `cli lint` sees it: an old address, where it leads, and the post that declares it. */
export interface Redirect {
  /** The old address as the author wrote it. */
  from: string;
  /** Where it leads: a site path or an absolute URL. */
  to: string;
  /** The source post that declares it (the Problem's `file`). */
  file: string;
}

/** The file path a site path names, or undefined when it names none (then it is not compared). */
const keyOf = (path: string): string | undefined => {
  try {
    return filePathOf(path);
  } catch {
    return undefined;
  }
};

/** The file a target names on this site, or undefined for another site (or one that cannot be a file). */
const targetKeyOf = (to: string, site: Pick<SiteConfig, 'baseUrl'> | undefined): string | undefined => {
  const path = to.replace(/[?#].*$/s, '');
  if (path.startsWith('/') && !path.startsWith('//')) return keyOf(path);
  if (site && path.startsWith(site.baseUrl)) return keyOf(`/${path.slice(site.baseUrl.length)}`);
  return undefined;
};

/** A file path as readers see the address: `/a/b/` for `a/b/index.html`. */
const shown = (key: string): string => `/${key.replace(/(^|\/)index\.html$/, '$1')}`;

/** The AliasError a check throws, as a message and the fix to go with it; undefined when the check passes. */
const refusalOf = (check: () => unknown, fix: string): { message: string; fix: string } | undefined => {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof AliasError) return { message: error.message, fix };
    throw error;
  }
};

const problem = (file: string, severity: Problem['severity'], message: string, fix: string): Problem => ({
  file,
  field: 'aliases',
  message,
  fix,
  severity,
});

/**
 * What is wrong with a site's redirects, every problem at once, each on the post that declares the redirect:
 * an old address no alias can take (error), one that leads to itself or takes part in a loop (error), one that is
 * the address of a real page in `pages` (error: the alias would replace it), one that two posts claim (error),
 * and a chain, an address leading to another old address (warning: it works, with one redirect more).
 * Addresses compare as files: `/a/b`, `/a/b/` and `/a/b/index.html` are one. `pages` holds the site's pages as
 * file paths (`posts/hello/index.html`) or site paths (`/posts/hello/`). With `site`, an absolute target under its
 * `baseUrl` counts as a site path; any other absolute target ends a chain.
 * @example redirectProblems([{ from: '/a/', to: '/a/', file: 'hello.md' }], new Set())[0]?.message // 'The old address /a/ leads to itself ...'
 */
export const redirectProblems = (
  redirects: ReadonlyArray<Redirect>,
  pages: ReadonlySet<string>,
  site?: Pick<SiteConfig, 'baseUrl'>,
): Problem[] => {
  const problems: Problem[] = [];
  const usable: { redirect: Redirect; from: string; to: string | undefined }[] = [];
  for (const redirect of redirects) {
    const refusal =
      refusalOf(() => aliasPathOf(redirect.from), HOW_TO_WRITE) ??
      // Only to check the target: the base URL does not change whether a site path is one.
      refusalOf(() => absoluteUrlOf(redirect.to, site ?? { baseUrl: 'https://site.invalid/' }), HOW_TO_LEAD);
    if (refusal) problems.push(problem(redirect.file, 'error', refusal.message, refusal.fix));
    else usable.push({ redirect, from: filePathOf(redirect.from), to: targetKeyOf(redirect.to, site) });
  }

  const pageKeys = new Set([...pages].map((page) => keyOf(page) ?? page));
  // The first declaration of an address is the one followed; a second post claiming it is reported below.
  const next = new Map<string, { to: string | undefined; raw: string }>();
  const claimants = new Map<string, Set<string>>();
  for (const { redirect, from, to } of usable) {
    if (!next.has(from)) next.set(from, { to, raw: redirect.to });
    claimants.set(from, (claimants.get(from) ?? new Set()).add(redirect.file));
  }

  const reported = new Set<string>();
  for (const { redirect, from, to } of usable) {
    const once = `${redirect.file}\n${from}`;
    if (reported.has(once)) continue;
    reported.add(once);
    const others = [...(claimants.get(from) ?? [])].filter((file) => file !== redirect.file);
    if (others.length > 0)
      problems.push(
        problem(
          redirect.file,
          'error',
          `The old address ${shown(from)} is also claimed by ${others.join(', ')}; one address can lead to one post only.`,
          `Keep ${shown(from)} in the aliases of one post only, the one that now has that content.`,
        ),
      );
    if (to === from) {
      problems.push(
        problem(
          redirect.file,
          'error',
          `The old address ${shown(from)} leads to itself (${redirect.to}): readers would be redirected forever.`,
          `Remove ${shown(from)} from aliases: it is already the address this redirect leads to.`,
        ),
      );
      continue;
    }
    if (pageKeys.has(from)) {
      problems.push(
        problem(
          redirect.file,
          'error',
          `The old address ${shown(from)} is the address of a page of this site: its alias would replace that page.`,
          `Remove ${shown(from)} from aliases, or give the page at ${shown(from)} another address.`,
        ),
      );
      continue;
    }
    const hops = [from];
    let at = to;
    let raw = redirect.to;
    while (at !== undefined && next.has(at) && !hops.includes(at)) {
      hops.push(at);
      const step = next.get(at);
      at = step?.to;
      raw = step?.raw ?? raw;
    }
    if (at !== undefined && hops.includes(at)) {
      const loop = [...hops, at].map(shown).join(' → ');
      problems.push(
        problem(
          redirect.file,
          'error',
          at === from
            ? `The old addresses form a loop, ${loop}: readers would be redirected forever.`
            : `The old address ${shown(from)} leads into a loop, ${loop}: readers would be redirected forever.`,
          'Remove one of these addresses from aliases (or redirect_from), so that every old address ends at a page.',
        ),
      );
    } else if (hops.length > 1) {
      const chain = [...hops.map(shown), raw].join(' → ');
      problems.push(
        problem(
          redirect.file,
          'warning',
          `The old address ${shown(from)} leads to ${shown(hops[1] ?? '')}, which is itself an old address: ${chain} takes ${hops.length} redirects.`,
          `Point ${shown(from)} straight at ${raw}: list it among the aliases of the post now at ${raw}.`,
        ),
      );
    }
  }
  return problems;
};
