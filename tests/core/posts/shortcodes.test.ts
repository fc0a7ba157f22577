import { describe, expect, it } from 'vitest';
import { expandShortcodes, type ShortcodeContext } from '../../../functions/core/posts/shortcodes.ts';

const context = (overrides: Partial<ShortcodeContext['site']> = {}): ShortcodeContext => ({
  site: {
    baseUrl: 'https://notes.example/blog/',
    title: 'Field <Notes>',
    description: 'About small software',
    iframeHosts: ['www.youtube-nocookie.com', 'player.vimeo.com'],
    ...overrides,
  },
  pageTitle: 'A *starred* <b>title</b>',
});

describe('expandShortcodes: Hugo', () => {
  it.each([
    ['an img', '{{< img src="a.png" alt="A cat" >}}', '<img src="a.png" alt="A cat">'],
    ['an img in the % form', '{{% img src="a.png" alt="A" %}}', '<img src="a.png" alt="A">'],
    ['an img with positional arguments', "{{< img 'a.png' 'A cat' >}}", '<img src="a.png" alt="A cat">'],
    [
      'an img with a title and size',
      '{{< img src=a.png title="T" width="40" >}}',
      '<img src="a.png" alt="" width="40" title="T">',
    ],
    [
      'a figure with caption, title and link',
      '{{< figure src="b.png" alt="B" title="Fig" caption="a *small* one" link="https://x.example/" >}}',
      '<figure><a href="https://x.example/"><img src="b.png" alt="B"></a><figcaption><p><strong>Fig</strong></p><p>a <em>small</em> one</p></figcaption></figure>',
    ],
    ['a bare figure', '{{< figure src="b.png" >}}', '<figure><img src="b.png" alt=""></figure>'],
    [
      'a YouTube video, through the privacy-friendly host',
      '{{< youtube dQw4w9WgXcQ >}}',
      '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="YouTube video" width="560" height="315" loading="lazy" allowfullscreen></iframe>',
    ],
    [
      'a Vimeo video',
      '{{< vimeo id="123456" title="Demo" >}}',
      '<iframe src="https://player.vimeo.com/video/123456" title="Demo" width="560" height="315" loading="lazy" allowfullscreen></iframe>',
    ],
    ["Hugo's escaped form, shown as text", '{{</* img src="a.png" */>}}', '{{< img src="a.png" >}}'],
  ])('expands %s', (_name, source, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe(expected);
  });

  it('escapes quotes and markup in shortcode arguments', () => {
    // Prepare
    const source = '{{< img src="a.png" alt="\\"><script>x</script>" >}}';
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.markdown).toBe('<img src="a.png" alt="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">');
  });

  it.each([
    ['an unknown shortcode', 'Text\n\n{{< mystery user="x" id="1" >}}', 3, /"mystery" is not one Hugo has built in/],
    ['a closing shortcode without its opening', '{{< /details >}}', 1, /closing shortcode/],
    ['mismatched delimiters', '{{< img src="a.png" %}}', 1, /opens with \{\{< but closes with %\}\}/],
    ['a shortcode left open', 'See {{< img src="a.png"', 1, /never closed|not written correctly/],
    ['an img without src', '{{< img alt="A" >}}', 1, /has no src/],
    ['a YouTube id that is not one', '{{< youtube "javascript:alert(1)" >}}', 1, /not one/],
    ['arguments that cannot be read', '{{< img src="a.png" = >}}', 1, /cannot be read/],
  ])('reports %s with its line and leaves no template text', (_name, source, line, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line, severity: 'error' });
    expect(result.problems[0]?.message).toMatch(message);
    expect(result.markdown).not.toMatch(/\{\{|\}\}/);
  });

  it('reports a video whose host the site does not allow', () => {
    // Prepare
    const site = context({ iframeHosts: ['player.vimeo.com'] });
    // Act
    const result = expandShortcodes('{{< youtube dQw4w9WgXcQ >}}', site);
    // Assess
    expect(result.problems[0]?.message).toMatch(/iframeHosts/);
    expect(result.markdown).toBe('');
  });

  it('leaves shortcodes in fenced, tilde-fenced and indented code as written', () => {
    // Prepare
    const source = [
      'Intro',
      '',
      '```markdown',
      '{{< tweet 1 >}}',
      '```',
      '',
      '~~~',
      '{% include x.html %}',
      '~~~',
      '',
      '    {{ page.unknown }}',
      '',
      '- a list item',
      '',
      '  ```',
      '  {{< gist x >}}',
      '  ```',
    ].join('\n');
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe(source);
  });

  it('leaves shortcodes in inline code spans as written', () => {
    // Prepare
    const source = 'Write `{{< figure src="x" >}}` or ``{{ site.unknown }}`` to try it.';
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe(source);
  });
});

describe('expandShortcodes: Liquid', () => {
  it.each([
    ['site.url as the origin', '{{ site.url }}', 'https://notes.example'],
    ['site.baseurl as the path', '{{site.baseurl}}', '/blog'],
    [
      'both together, as Jekyll themes write them',
      '{{ site.url }}{{ site.baseurl }}/about/',
      'https://notes.example/blog/about/',
    ],
    ['relative_url', '{{ "/about/" | relative_url }}', '/blog/about/'],
    ['relative_url without a leading slash', "{{ 'about/' | relative_url }}", '/blog/about/'],
    ['absolute_url', '{{ "/about/" | absolute_url }}', 'https://notes.example/blog/about/'],
    ['absolute_url on a full URL', '{{ "https://x.example/a" | absolute_url }}', 'https://x.example/a'],
    ['a quoted pipe in a literal', '{{ "a|b" | relative_url }}', '/blog/a|b'],
    ['whitespace control', '{{- site.baseurl -}}', '/blog'],
    ['page.title, as written (Jekyll does not escape output)', '{{ page.title }}', 'A *starred* <b>title</b>'],
    ['site.title, as written', '{{ site.title }}', 'Field <Notes>'],
    [
      'assign, split and a for loop',
      '{% assign xs = "a|b" | split: "|" %}{% for x in xs %}[{{ x }}]{% endfor %}',
      '[a][b]',
    ],
    ['if and else', '{% if site.title %}yes{% else %}no{% endif %}', 'yes'],
    ['Jekyll filters', '{{ "Hello, World" | slugify }} {{ "a < b" | xml_escape }}', 'hello-world a &lt; b'],
    ['a raw block on one line', '{% raw %}{{ site.anything }}{% endraw %}', '{{ site.anything }}'],
    ['a raw block over lines', '{% raw %}\n{{ x }} {% y %}\n{% endraw %}', '\n{{ x }} {% y %}\n'],
    ['a comment, dropped', 'a{% comment %} hidden {{ x }} {% endcomment %}b', 'ab'],
  ])('expands %s', (_name, source, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe(expected);
  });

  it('gives an empty base path for a site at the root', () => {
    // Prepare
    const site = context({ baseUrl: 'https://notes.example/' });
    // Act
    const result = expandShortcodes('[a]({{ site.baseurl }}/a) {{ "/b" | relative_url }}', site);
    // Assess
    expect(result.markdown).toBe('[a](/a) /b');
  });

  it('turns a highlight block into a fenced code block, rendering its Liquid as Jekyll does', () => {
    // Prepare
    const source =
      'Before\n{% highlight ruby linenos %}\nputs "{{ site.title }}{% raw %}{{ x }}{% endraw %}"\n```\n{% endhighlight %}\nAfter';
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe('Before\n\n````ruby\nputs "Field <Notes>{{ x }}"\n```\n````\n\nAfter');
  });

  it.each([
    ['an include that was not uploaded', 'Hello\n{% include footer.html %}', 2, /"footer\.html" was not uploaded/],
    ['a variable the site cannot have', 'a\n{{ site.pages | size }}', 2, /site\.pages/],
    ['an unknown page variable', '{{ page.nothing }}', 1, /page\.nothing.*renders empty/],
    ['an unknown filter', '{{ "x" | sparkle }}', 1, /filter "sparkle"/],
    ['a plugin tag', 'a\n\n{% seo %}', 3, /\{% seo %\}.*plugin/],
  ])('warns about %s, renders it empty and names the line', (_name, source, line, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line, severity: 'warning' });
    expect(result.problems[0]?.message).toMatch(message);
    expect(result.markdown).not.toMatch(/\{%|\{\{/);
  });

  it.each([
    ['a stray end tag', '{% endraw %}', 1, /endraw/],
    ['an unclosed raw block', 'a\n{% raw %}\nb', 2, /not closed/],
    ['an unclosed output tag', 'a {{ site.url', 1, /not closed/],
    ['an unclosed if', 'a\n\n{% if site.title %}\nb', 3, /not closed/],
  ])('rejects Liquid that cannot be read (%s) with its line', (_name, source, line, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line, severity: 'error' });
    expect(result.problems[0]?.message).toMatch(message);
  });

  it('reports every problem in the body at once', () => {
    // Prepare
    const source = '{{< mystery 1 >}}\n\n{{< img alt="A" >}}\n\n{{< youtube "x" >}}';
    // Act
    const result = expandShortcodes(source, context());
    // Assess
    expect(result.problems.map((p) => p.line)).toEqual([1, 3, 5]);
  });
});
