import { describe, expect, it } from 'vitest';
import { renderJekyllLiquid } from '../../../../functions/core/posts/templating/jekyll-liquid.ts';
import { includeArguments } from '../../../../functions/core/posts/templating/liquid-plugin-tags.ts';
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

describe('renderJekyllLiquid: tags of plugins the site does not run', () => {
  it.each([
    [
      'a line of its own inside a paragraph, which would end the paragraph and make the next line code',
      'A paragraph\n{% youtube abc %}\n    continued, indented by habit',
      'A paragraph\n    continued, indented by habit',
    ],
    [
      'a line of its own inside a list item, which would make the item loose and its next line code',
      '- item text\n  {% jira X-1 %}\n      wrapped on\n- next',
      '- item text\n      wrapped on\n- next',
    ],
    ['a line of its own between list items', '- one\n{% ghi 1 %}\n- two', '- one\n- two'],
    [
      'the URL of a reference definition, which would show as text',
      'See [the issue][i].\n\n[i]: {% ghi_url 12 %}\n',
      'See [the issue][i].\n\n[i]: <>\n',
    ],
    [
      'the start of a list item’s text, which would indent it into code',
      '- {% ghi 12 %} Fixed a crash\n- {% ghi 13 %}     Fixed a leak',
      '- Fixed a crash\n- Fixed a leak',
    ],
    ['the end of a line, which would leave spaces that break the line', 'Fixed {% ghi 12 %}\nNext', 'Fixed\nNext'],
    ['the middle of a sentence', 'See {% ghi 12 %} for more.', 'See for more.'],
    ['the end of a sentence', 'Fixed in {% ghi 12 %}, and {% ghi 13 %}.', 'Fixed in, and.'],
    ['a block tag, which keeps its inside', '{% callout warning %}\nBe careful.\n{% endcallout %}', 'Be careful.\n'],
  ])('keeps the Markdown around it intact where it stands at %s', (_name, source, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = render(source);
    // Assess
    expect(result.markdown).toBe(expected);
    expect(result.problems.every((problem) => problem.severity === 'warning')).toBe(true);
  });

  it('warns once per tag name, naming every line and how to give the tag a template', () => {
    // Prepare
    const source = '- {% ghi 1 %} one\n- {% ghi 2 %} two\n- {% jira X-1 %}\n- {% ghi 3 %}';
    // Act
    const result = render(source);
    // Assess
    expect(result.problems.map(({ line, message }) => ({ line, message }))).toEqual([
      {
        line: 1,
        message:
          'The Liquid tag {% ghi %} (lines 1, 2 and 4) comes from a Jekyll plugin this site does not run, so it renders nothing.',
      },
      {
        line: 3,
        message: 'The Liquid tag {% jira %} comes from a Jekyll plugin this site does not run, so it renders nothing.',
      },
    ]);
    expect(result.problems[0]?.fix).toMatch(/_includes\/tags\/ghi\.html.*include\.args.*include\.arg1/);
  });

  it('renders a tag with the site’s _includes/tags/<name>.html, given its words, pairs and Liquid', () => {
    // Prepare
    const includes = {
      'tags/ghi.html': '[#{{ include.arg1 }}](https://github.com/ada/notes/issues/{{ include.arg1 }})',
      'tags/gist.html': '<a href="https://gist.github.com/{{ include.arg1 }}">{{ include.arg2 | default: "gist" }}</a>',
      'tags/youtube.html': 'video {{ include.id }} from {{ include.start }}s ({{ include.args }})',
    };
    const source = [
      '- Fixed {% ghi 12 %} and {% ghi {{ page.issue }} %}',
      '{% gist ada/1a2b "a file.rb" %}',
      '{% youtube id="abc d" start=30 %}',
    ].join('\n');
    // Act
    const result = render(source, context({ includes }));
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe(
      [
        '- Fixed [#12](https://github.com/ada/notes/issues/12) and [#42](https://github.com/ada/notes/issues/42)',
        '<a href="https://gist.github.com/ada/1a2b">a file.rb</a>',
        'video abc d from 30s (id="abc d" start=30)',
      ].join('\n'),
    );
  });

  it('gives a block tag’s template the rendered inside as include.content', () => {
    // Prepare
    const includes = { 'tags/callout.html': '> **{{ include.arg1 | upcase }}** {{ include.content | strip }}' };
    // Act
    const result = render('{% callout note %}Mind {{ page.issue }}.{% endcallout %}', context({ includes }));
    // Assess
    expect(result).toEqual({ markdown: '> **NOTE** Mind 42.', problems: [] });
  });

  it('treats a template that renders nothing as an empty tag, keeping the paragraph whole', () => {
    // Prepare
    const includes = { 'tags/seo.html': '{% if include.arg1 %}{% endif %}\n' };
    // Act
    const result = render('One line\n{% seo %}\nand the next.', context({ includes }));
    // Assess
    expect(result.markdown).toBe('One line\nand the next.');
  });

  it('leaves out an include that was not uploaded without splitting the paragraph', () => {
    // Prepare, Act
    const result = render('One line\n{% include missing.html %}\nand the next.');
    // Assess
    expect(result.markdown).toBe('One line\nand the next.');
    expect(result.problems[0]?.message).toMatch(/"missing\.html" was not uploaded/);
  });

  it('knows a plugin tag used only in an include, and names the include and the line that includes it', () => {
    // Prepare
    const includes = { 'footer.html': 'Tracked in {% ghi 9 %}.' };
    // Act
    const result = render('Intro\n\n{% include footer.html %}', context({ includes }));
    // Assess
    expect(result.markdown).toBe('Intro\n\nTracked in.');
    expect(result.problems.map(({ line, message }) => ({ line, message }))).toEqual([
      {
        line: 3,
        message:
          'The Liquid tag {% ghi %} (in _includes/footer.html) comes from a Jekyll plugin this site does not run, so it renders nothing.',
      },
    ]);
  });

  it('refuses a tag template that cannot be read, naming it', () => {
    // Prepare
    const includes = { 'tags/ghi.html': '{% if include.arg1 %}open' };
    // Act
    const result = render('{% ghi 1 %}', context({ includes }));
    // Assess
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'error' })]);
    expect(result.problems[0]?.message).toMatch(/_includes\/tags\/ghi\.html cannot be read/);
  });
});

describe('includeArguments', () => {
  it.each([
    ['123', { args: '123', arg1: '123' }],
    ['user/1a2b file.rb', { args: 'user/1a2b file.rb', arg1: 'user/1a2b', arg2: 'file.rb' }],
    [
      `"two words" 'single' x=1 y="a b"`,
      { args: `"two words" 'single' x=1 y="a b"`, arg1: 'two words', arg2: 'single', x: '1', y: 'a b' },
    ],
    ['', { args: '' }],
  ])('reads %j', (args, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const scope = includeArguments(args);
    // Assess
    expect(scope).toEqual(expected);
  });
});
