import { siteUrl } from '../../paths.ts';
import { hugoPagePath } from './hugo-page-url.ts';
import { jekyllPagePath } from './jekyll-page-url.ts';
import { type BodyProblem, resolvePostReference, type TemplateContext } from './template-context.ts';

/**
 * Links from a post to another page, for Hugo's ref/relref and Jekyll's link: another post resolves to where it is
 * published here (as resolvePostReference does), an uploaded file to its published copy, and anything else is a
 * page of the author's own site (about, docs) that is not published here: it is linked where the generator puts
 * it, on the site's address (`siteUrl` in the site config, else `url`+`baseurl` of `_config.yml` or `baseURL` of
 * the Hugo config), with a warning once per target. Only when no address is known at all does the link go beside
 * this site's posts, and the warning says so. Always an absolute URL: Hugo's relref is made absolute too. A
 * Jekyll path in `_posts/` that matches no post stays an error: it names a post, and is most likely mistyped.
 */

export interface PageReference {
  /** The target as written (`about.md`, `/docs/install#usage`). */
  target: string;
  generator: 'hugo' | 'jekyll';
  /** The reference as the author wrote it, for messages: `{% link about.md %}`. */
  written: string;
  /** 1-based line in the body. */
  line: number;
}

/**
 * Gives one post's linker: call it per reference; it warns about each target once.
 * @example createPageLinker(context)({ target: 'about.md', generator: 'jekyll', written: '{% link about.md %}', line: 3 }).url
 *   // 'https://blog.example/about.html', with a warning that about.md is not a post
 */
export const createPageLinker = (
  context: TemplateContext,
): ((reference: PageReference) => { url: string; problems: BodyProblem[] }) => {
  const warned = new Set<string>();
  return (reference) => {
    const [pathPart = '', anchor] = reference.target.trim().split('#', 2);
    const hash = anchor === undefined ? '' : `#${anchor}`;
    // Jekyll links a post by its path in _posts/; a path elsewhere is a page, even where the posts are not known.
    const jekyllPost = reference.generator === 'jekyll' && /(^|\/)_(posts|drafts)\//.test(pathPart);
    const surelyPage = reference.generator === 'jekyll' && !jekyllPost && context.content?.sources === undefined;
    const post = surelyPage ? undefined : resolvePostReference(reference.target, context);
    if (post !== undefined) return { url: post, problems: [] };
    if (jekyllPost) {
      const problem: BodyProblem = {
        line: reference.line,
        message: `${reference.written} names a post that is not in the site.`,
        fix: 'Check the file name (as Jekyll writes it: 2017-01-18-title), or upload that post.',
        severity: 'error',
      };
      return { url: '', problems: [problem] };
    }
    const uploaded = uploadedFile(pathPart, context);
    if (uploaded !== undefined) return { url: siteUrl(context.site, `posts/${uploaded}`) + hash, problems: [] };

    const path =
      reference.generator === 'jekyll'
        ? jekyllPagePath(pathPart, context.content?.jekyll ?? {})
        : hugoPagePath(pathPart, context.page?.sourcePath ?? '', context.content?.hugo);
    const address = siteAddressOf(context, reference.generator);
    const url = new URL(path.replace(/^\/+/, ''), address ?? context.site.baseUrl).href + hash;
    const key = pathPart.replace(/^\/+/, '');
    if (warned.has(key)) return { url, problems: [] };
    warned.add(key);
    return {
      url,
      problems: [
        address === undefined
          ? {
              line: reference.line,
              message: `${reference.written} is not a post, and the address of your own site is not known: linked to ${url}, relative to this site's baseUrl.`,
              fix: 'Set siteUrl in the site config to your own site’s address (or url in _config.yml, baseURL in the Hugo config), so the link reaches that page.',
              severity: 'warning',
            }
          : {
              line: reference.line,
              message: `${reference.written}${LINKED_TO_PAGE}${url}.`,
              fix: 'Nothing to do if the page is there; to publish it here as a post, upload it beside the posts.',
              severity: 'warning',
            },
      ],
    };
  };
};

const LINKED_TO_PAGE = ' is not a post: linked to its page on your site, ';

/**
 * One warning for all the links of a post to pages of the author's site, however many targets: the author reads
 * one line per kind per post. Other problems pass through as they are.
 * @example mergePageLinkWarnings(problems) // '3 links name pages that are not posts, linked on your site: …'
 */
export const mergePageLinkWarnings = (problems: readonly BodyProblem[]): BodyProblem[] => {
  const links = problems.filter(
    (problem) => problem.severity === 'warning' && problem.message.includes(LINKED_TO_PAGE),
  );
  const [first] = links;
  if (!first || links.length === 1) return [...problems];
  const listed = links.slice(0, 3).map((problem) => {
    const [written, url] = problem.message.replace(/\.$/, '').split(LINKED_TO_PAGE);
    return `${written} (line ${problem.line}) to ${url}`;
  });
  const more = links.length > listed.length ? `, and ${links.length - listed.length} more` : '';
  const merged: BodyProblem = {
    ...first,
    message: `${links.length} links name pages that are not posts, so they are linked to those pages on your site: ${listed.join('; ')}${more}.`,
  };
  return [...problems.filter((problem) => !links.includes(problem)), merged];
};

/**
 * The address of the author's own site, ending in `/`: our `siteUrl`, else the generator's settings (the one the
 * reference is written for first). Undefined when neither gives an absolute http(s) address.
 * @example siteAddressOf({ site: { siteUrl: 'https://a.example/' }, … }, 'jekyll') // 'https://a.example/'
 */
export const siteAddressOf = (context: TemplateContext, generator: 'hugo' | 'jekyll'): string | undefined => {
  if (context.site.siteUrl) return context.site.siteUrl;
  const jekyll = context.content?.jekyll ?? {};
  const fromJekyll =
    typeof jekyll.url === 'string'
      ? absolute(`${jekyll.url.replace(/\/+$/, '')}/${typeof jekyll.baseurl === 'string' ? jekyll.baseurl : ''}`)
      : undefined;
  const fromHugo = absolute(context.content?.hugo?.baseURL ?? '');
  return generator === 'jekyll' ? (fromJekyll ?? fromHugo) : (fromHugo ?? fromJekyll);
};

const absolute = (address: string): string | undefined => {
  if (!/^https?:\/\/[^/]/i.test(address.trim())) return undefined;
  try {
    const url = new URL(address.trim());
    url.pathname = `${url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '')}/`;
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
};

/** The target as an uploaded file that is published as it is (an image, a YAML example), if it is one. */
const uploadedFile = (path: string, context: TemplateContext): string | undefined => {
  const wanted = path.replace(/^\/+/, '');
  if (/\.(md|markdown)$/i.test(wanted)) return undefined;
  return context.content?.files?.includes(wanted) ? wanted : undefined;
};
