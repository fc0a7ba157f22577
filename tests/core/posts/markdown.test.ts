import { describe, expect, it } from 'vitest';
import { findCodeLines, renderInlineMarkdown, renderPostBody } from '../../../functions/core/posts/markdown.ts';

describe('renderPostBody', () => {
  it.each([
    [
      'a GFM table',
      '| a | b |\n|---|--:|\n| 1 | 2 |',
      /<table>[\s\S]*<th>a<\/th>[\s\S]*<td style="text-align:right">2<\/td>/,
    ],
    ['strikethrough', 'a ~~b~~ c', /<p>a <s>b<\/s> c<\/p>/],
    ['an open task', '- [ ] write tests', /<li class="task-list-item">☐ write tests<\/li>/],
    ['a done task', '- [x] ship it', /<li class="task-list-item">☑ ship it<\/li>/],
    [
      'a reference link',
      'See [the docs][d].\n\n[d]: https://docs.example/ "Docs"',
      /<a href="https:\/\/docs.example\/" title="Docs">the docs<\/a>/,
    ],
    ['an autolink', 'Go to <https://a.example/x>.', /<a href="https:\/\/a.example\/x">https:\/\/a.example\/x<\/a>/],
    ['a bare URL', 'Go to https://a.example/x now', /<a href="https:\/\/a.example\/x">/],
    [
      'raw HTML, left for the sanitizer',
      '<details><summary>S</summary>x</details>',
      /<details><summary>S<\/summary>x<\/details>/,
    ],
    ['straight quotes, untouched', '"quoted" -- text', /&quot;quoted&quot; -- text/],
    ['emoji and CJK', '東京 🚀 café', /<p>東京 🚀 café<\/p>/],
  ])('renders %s', (_name, source, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const { html } = renderPostBody(source);
    // Assess
    expect(html).toMatch(expected);
  });

  it('leaves a bracket that is not a task list item alone', () => {
    // Prepare
    const source = 'A paragraph starting with [ ] brackets.\n\n- [y] not a task';
    // Act
    const { html } = renderPostBody(source);
    // Assess
    expect(html).not.toContain('☐');
    expect(html).toContain('[y] not a task');
  });

  it.each(['<!--more-->', '<!-- more -->', '<!--More-->'])('splits the excerpt at %s', (marker) => {
    // Prepare
    const source = `Opening *words*.\n\n${marker}\n\nThe rest.`;
    // Act
    const { html, excerptHtml } = renderPostBody(source);
    // Assess
    expect(excerptHtml).toBe('<p>Opening <em>words</em>.</p>\n');
    expect(html).toBe('<p>Opening <em>words</em>.</p>\n<p>The rest.</p>\n');
  });

  it('resolves reference links in the excerpt that are defined after the marker', () => {
    // Prepare
    const source = 'Read [this][r].\n\n<!--more-->\n\nMore.\n\n[r]: https://r.example/';
    // Act
    const { excerptHtml } = renderPostBody(source);
    // Assess
    expect(excerptHtml).toBe('<p>Read <a href="https://r.example/">this</a>.</p>\n');
  });

  it('has no excerpt without a marker, nor for a marker inside code', () => {
    // Prepare
    const source = 'Intro\n\n```html\n<!--more-->\n```\n\nEnd';
    // Act
    const result = renderPostBody(source);
    // Assess
    expect(result.excerptHtml).toBeUndefined();
    expect(result.html).toContain('&lt;!--more--&gt;');
  });
});

describe('findCodeLines', () => {
  it('lists the lines of fenced and indented code blocks', () => {
    // Prepare
    const source = 'text\n\n```\ncode\n```\n\n    indented\n\nafter';
    // Act
    const lines = findCodeLines(source);
    // Assess
    expect([...lines]).toEqual([2, 3, 4, 6]);
  });
});

describe('renderInlineMarkdown', () => {
  it('renders inline Markdown without a paragraph', () => {
    // Prepare
    const source = 'a *b* `c`';
    // Act
    const html = renderInlineMarkdown(source);
    // Assess
    expect(html).toBe('a <em>b</em> <code>c</code>');
  });
});
