import { describe, expect, it } from 'vitest';
import { findCodeLines, renderInlineMarkdown, renderPostBody } from '../../../functions/core/posts/markdown.ts';
import { goldmarkFlavour, kramdownFlavour } from '../../../functions/core/posts/markdown-flavour.ts';

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

describe('renderPostBody in each generator’s flavour', () => {
  const goldmark = goldmarkFlavour({ markup: { goldmark: { renderer: { unsafe: true } } } });
  const kramdown = kramdownFlavour({});

  it.each([
    ['goldmark', goldmark],
    ['kramdown', kramdown],
  ])('sets quotes, dashes and ellipses as %s does, and leaves (c) alone', (_name, flavour) => {
    // Act
    const { html } = renderPostBody(`It's "x" -- y --- z... (c)`, flavour);
    // Assess
    expect(html).toBe('<p>It’s “x” – y — z… (c)</p>\n');
  });

  it('keeps straight quotes where the site turned kramdown’s smart quotes off, and still sets dashes', () => {
    // Prepare
    const flavour = kramdownFlavour({ kramdown: { smart_quotes: 'apos,apos,quot,quot' } });
    // Act
    const { html } = renderPostBody(`It's "x" -- y`, flavour);
    // Assess
    expect(html).toBe("<p>It's &quot;x&quot; – y</p>\n");
  });

  it('numbers footnotes as the generators do, with the note at the end', () => {
    // Act
    const { html } = renderPostBody('Text[^a].\n\n[^a]: The note.\n', goldmark);
    // Assess
    expect(html).toMatch(/<sup[^>]*><a href="#fn1"[^>]*>1<\/a><\/sup>/);
    expect(html).toMatch(/<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n<li id="fn1"[^>]*><p>The note\./);
  });

  it.each([
    ['goldmark', goldmark, '## Title {#custom .wide}', '<h2 id="custom" class="wide">Title</h2>\n'],
    ['kramdown', kramdown, '## Title {#custom}', '<h2 id="custom">Title</h2>\n'],
    ['goldmark', goldmark, '## Plain Title', '<h2 id="plain-title">Plain Title</h2>\n'],
  ])('gives a %s heading the id it asks for, or one made from its text', (_name, flavour, source, expected) => {
    // Act
    const { html } = renderPostBody(source, flavour);
    // Assess
    expect(html).toBe(expected);
  });

  it('reads kramdown attribute lists on blocks and spans', () => {
    // Act
    const { html } = renderPostBody('A *word*{: .x} here.\n{: .note}\n\n![A](a.png){:width="50%"}\n', kramdown);
    // Assess
    expect(html).toBe(
      '<p class="note">A <em class="x">word</em> here.</p>\n<p><img src="a.png" alt="A" width="50%"></p>\n',
    );
  });

  it('renders definition lists and kramdown abbreviations', () => {
    // Act
    const { html } = renderPostBody('Term\n: Meaning\n\nHTML here.\n\n*[HTML]: Hyper Text\n', kramdown);
    // Assess
    expect(html).toBe(
      '<dl>\n<dt>Term</dt>\n<dd>Meaning</dd>\n</dl>\n<p><abbr title="Hyper Text">HTML</abbr> here.</p>\n',
    );
  });

  it('writes kramdown’s $$ math out for MathJax, inline and displayed', () => {
    // Act
    const { html } = renderPostBody('Inline $$a_1 < b$$ here.\n\n$$\nx = \\frac{1}{2}\n$$\n', kramdown);
    // Assess
    expect(html).toBe('<p>Inline \\(a_1 &lt; b\\) here.</p>\n\\[x = \\frac{1}{2}\\]\n');
  });

  it('ends a kramdown HTML block at its closing tag, blank lines inside, Markdown right after', () => {
    // Act
    const { html } = renderPostBody(
      '<div class="box">\nOne\n\n*two*\n</div>\nAfter **this**.\n\n<img src="a.png">\n*span*\n',
      kramdown,
    );
    // Assess
    expect(html).toBe(
      '<div class="box">\nOne\n\n*two*\n</div>\n<p>After <strong>this</strong>.</p>\n<p><img src="a.png">\n<em>span</em></p>\n',
    );
  });

  it('makes kramdown’s {:toc} list a table of contents of the headings', () => {
    // Act
    const { html } = renderPostBody('* TOC\n{:toc}\n\n## One\n\n### One a\n\n## Two\n', kramdown);
    // Assess
    expect(html).toMatch(
      /^<ul>\n<li><a href="#one">One<\/a>\n<ul>\n<li><a href="#one-a">One a<\/a><\/li>\n<\/ul>\n<\/li>\n<li><a href="#two">Two<\/a><\/li>\n<\/ul>\n/,
    );
  });

  it('omits raw HTML as Hugo does when the site has not allowed it, and keeps it when it has', () => {
    // Prepare
    const strict = goldmarkFlavour({ title: 'A Hugo site' });
    // Act
    const omitted = renderPostBody('<div>raw</div>\n\nText <b>bold</b>.\n', strict).html;
    const kept = renderPostBody('<div>raw</div>\n', goldmark).html;
    // Assess
    expect(omitted).toBe(
      '<!-- raw HTML omitted -->\n<p>Text <!-- raw HTML omitted -->bold<!-- raw HTML omitted -->.</p>\n',
    );
    expect(kept).toBe('<div>raw</div>\n');
  });

  it('turns :emoji: codes into emoji only where Hugo’s enableEmoji is on', () => {
    // Act
    const on = renderPostBody('Hi :smile:', goldmarkFlavour({ enableEmoji: true })).html;
    const off = renderPostBody('Hi :smile:', goldmark).html;
    // Assess
    expect(on).toBe('<p>Hi 😄</p>\n');
    expect(off).toBe('<p>Hi :smile:</p>\n');
  });

  it('keeps this publisher’s own Markdown free of typography and heading ids', () => {
    // Act
    const { html } = renderPostBody(`## It's "x" -- y`);
    // Assess
    expect(html).toBe(`<h2>It's &quot;x&quot; -- y</h2>\n`);
  });
});
