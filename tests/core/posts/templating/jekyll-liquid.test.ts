import { describe, expect, it } from 'vitest';
import { renderJekyllLiquid } from '../../../../functions/core/posts/templating/jekyll-liquid.ts';
import type { ContentContext, TemplateContext } from '../../../../functions/core/posts/templating/template-context.ts';

const context = (
  content: Partial<ContentContext> = {},
  site: Partial<TemplateContext['site']> = {},
): TemplateContext => ({
  site: { baseUrl: 'https://news.example/', title: 'Notes', description: '', iframeHosts: [], ...site },
  pageTitle: 'A post',
  page: { sourcePath: '_posts/2024-03-01-a.md', params: { issue: '42' } },
  content: {
    params: {},
    jekyll: { url: 'https://ada.example', baseurl: '/blog', permalink: 'pretty' },
    shortcodes: {},
    sources: ['_posts/2024-03-01-a.md', '_posts/2023-01-18-first-steps.md'],
    ...content,
  },
});

const render = (body: string, ctx = context()) => renderJekyllLiquid(body, ctx, []);

describe('renderJekyllLiquid: link to pages that are not posts', () => {
  it('links pages and collection documents on the author’s site, and posts here', () => {
    // Prepare
    const body = [
      '[About]({% link about.md %}), [docs]({% link docs/index.md %}), [history]({% link _docs/history.md %})',
      '[first]({% link _posts/2023-01-18-first-steps.md %})',
    ].join('\n');
    // Act
    const result = render(body);
    // Assess
    expect(result.markdown).toBe(
      [
        '[About](https://ada.example/blog/about/), [docs](https://ada.example/blog/docs/), [history](https://ada.example/blog/docs/history/)',
        '[first](/posts/first-steps/)',
      ].join('\n'),
    );
    expect(result.problems.map((problem) => [problem.line, problem.severity])).toEqual([
      [1, 'warning'],
      [1, 'warning'],
      [1, 'warning'],
    ]);
  });

  it('uses siteUrl from the site config before _config.yml', () => {
    // Prepare
    const ctx = context({}, { siteUrl: 'https://www.ada.example/' });
    // Act
    const result = render('[About]({% link about.md %})', ctx);
    // Assess
    expect(result.markdown).toBe('[About](https://www.ada.example/about/)');
    expect(result.problems[0]?.message).toBe(
      '{% link about.md %} is not a post: linked to its page on your site, https://www.ada.example/about/.',
    );
  });
});
