import { describe, expect, it } from 'vitest';
import { renderGoTemplate, SafeHtml } from '../../../../functions/core/posts/templating/go-template.ts';
import { expandHugoShortcodes } from '../../../../functions/core/posts/templating/hugo-shortcodes.ts';
import { MAX_SHORTCODE_DEPTH, parseShortcodes } from '../../../../functions/core/posts/templating/shortcode-syntax.ts';
import type { ContentContext, TemplateContext } from '../../../../functions/core/posts/templating/template-context.ts';

const context = (shortcodes: Record<string, string> = {}): TemplateContext => ({
  site: { baseUrl: 'https://notes.example/', title: 'Notes', description: '', iframeHosts: [] },
  pageTitle: 'A post',
  page: { sourcePath: '2024/a.md', params: { mood: 'calm' } },
  content: { params: { owner: 'Ada' }, jekyll: {}, shortcodes, sources: ['2024/a.md', '2023/other-post.md'] },
});

describe('parseShortcodes', () => {
  it('reads parameters spread over several lines, quoted, raw and bare', () => {
    // Prepare
    const source = '{{< img\n  src="https://a.example/a.png"\n  alt=`say "hi"`\n  width=40\n>}}';
    // Act
    const { nodes, problems } = parseShortcodes(source);
    // Assess
    expect(problems).toEqual([]);
    const call = nodes[0];
    expect(call?.kind === 'call' && Object.fromEntries(call.params.named)).toEqual({
      src: 'https://a.example/a.png',
      alt: 'say "hi"',
      width: '40',
    });
  });

  it('pairs a closing tag with its opening and keeps self-closing calls alone', () => {
    // Prepare
    const source = '{{< note >}}in {{< x />}} side{{< /note >}}';
    // Act
    const { nodes } = parseShortcodes(source);
    // Assess
    const note = nodes[0];
    expect(note?.kind === 'call' && source.slice(note.inner?.start, note.inner?.end)).toBe('in {{< x />}} side');
    expect(note?.kind === 'call' && note.inner?.children.length).toBe(1);
  });

  it.each([
    ['{{< a a=/ >}}', '/', false],
    ['{{< a a=x/ >}}', 'x/', false],
    ['{{< a a=/x >}}', '/x', false],
    ['{{< a a=x />}}', 'x', true],
  ])('reads %s as Hugo 0.111 does: a slash inside a bare value is the value', (source, value, selfClosing) => {
    // Prepare, Act
    const { nodes, problems } = parseShortcodes(source);
    // Assess
    expect(problems).toEqual([]);
    const call = nodes[0];
    expect(call?.kind === 'call' && [call.params.named.get('a'), call.selfClosing]).toEqual([value, selfClosing]);
  });

  it("keeps which values were written unquoted, for Hugo's typed parameters", () => {
    // Prepare, Act
    const { nodes } = parseShortcodes('{{< p 5 "6" n=true q="true" >}}');
    // Assess
    const call = nodes[0];
    expect(call?.kind === 'call' && [...(call.params.bare ?? [])]).toEqual([0, 'n']);
  });

  it('lets an opening that is never closed stand alone, its followers belonging to the call around it', () => {
    // Prepare
    const source = '{{< outer >}}{{< lone >}}a{{< inner >}}b{{< /inner >}}{{< /outer >}}';
    // Act
    const { nodes, problems } = parseShortcodes(source);
    // Assess
    expect(problems).toEqual([]);
    const outer = nodes[0];
    const children = outer?.kind === 'call' ? (outer.inner?.children ?? []) : [];
    expect(children.map((child) => (child.kind === 'call' ? [child.name, child.inner !== undefined] : []))).toEqual([
      ['lone', false],
      ['inner', true],
    ]);
  });

  it('refuses shortcodes nested deeper than it expands, with one problem and no calls', () => {
    // Prepare
    const depth = 5000;
    const source = `${'{{< n >}}'.repeat(depth)}x${'{{< /n >}}'.repeat(depth)}`;
    // Act
    const { nodes, problems } = parseShortcodes(source);
    // Assess
    expect(nodes).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain(`nested more than ${MAX_SHORTCODE_DEPTH} deep`);
  });

  it('reports a shortcode that is never closed, at its offset', () => {
    // Prepare, Act
    const { problems } = parseShortcodes('text {{< img src="a.png"\n\nmore');
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]?.offset).toBe(5);
  });
});

describe('expandHugoShortcodes', () => {
  it('expands a multi-line img shortcode', () => {
    // Prepare, Act
    const result = expandHugoShortcodes('{{< img\nsrc="a.png"\nalt="A"\n>}}', context(), []);
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe('<img src="a.png" alt="A">');
  });

  it('shows the comment form as the shortcode itself', () => {
    // Prepare, Act
    const result = expandHugoShortcodes('{{</* figure src="a.png" */>}}', context(), []);
    // Assess
    expect(result.markdown).toBe('{{< figure src="a.png" >}}');
  });

  it('renders a site template with .Get, .Inner and with', () => {
    // Prepare
    const template =
      '<aside class="{{ .Get "kind" }}">{{ with .Get "title" }}<b>{{ . }}</b>{{ end }}{{ .Inner }}</aside>';
    // Act
    const result = expandHugoShortcodes(
      '{{< note kind="tip" title="<T>" >}}Hi{{< /note >}}',
      context({ note: template }),
      [],
    );
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe('<aside class="tip"><b>&lt;T&gt;</b>Hi</aside>');
  });

  it('resolves ref against the known posts', () => {
    // Prepare, Act
    const found = expandHugoShortcodes('[o]({{< ref "other-post.md" >}})', context(), []);
    // Assess
    expect(found.problems).toEqual([]);
    expect(found.markdown).toBe('[o](https://notes.example/posts/other-post/)');
  });

  it('links ref and relref to a page that is not a post on the site, absolute, warning once per target', () => {
    // Prepare
    const site = context();
    site.content = { ...(site.content as ContentContext), hugo: { baseURL: 'https://ada.example/', contentDirs: [] } };
    const body = '[a]({{< relref "downloads" >}})\n[b]({{< ref "/docs/install" >}}) [c]({{< relref "downloads" >}})';
    // Act
    const result = expandHugoShortcodes(body, site, []);
    // Assess
    expect(result.markdown).toBe(
      '[a](https://ada.example/downloads/)\n[b](https://ada.example/docs/install/) [c](https://ada.example/downloads/)',
    );
    expect(result.problems.map(({ line, severity, message }) => ({ line, severity, message }))).toEqual([
      {
        line: 1,
        severity: 'warning',
        message:
          '{{< relref "downloads" >}} is not a post: linked to its page on your site, https://ada.example/downloads/.',
      },
      {
        line: 2,
        severity: 'warning',
        message:
          '{{< ref "/docs/install" >}} is not a post: linked to its page on your site, https://ada.example/docs/install/.',
      },
    ]);
  });

  it('links relref in a site template to a page that is not a post, with a warning', () => {
    // Prepare
    const site = context({ more: '<a href="{{ relref . "/about" }}">{{ .Inner }}</a>' });
    // Act
    const result = expandHugoShortcodes('{{< more >}}About{{< /more >}}', site, []);
    // Assess
    expect(result.markdown).toBe('<a href="https://notes.example/about/">About</a>');
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'warning', line: 1 })]);
    expect(result.problems[0]?.message).toMatch(/shortcodes\/more\.html is not a post.*not known/);
  });

  it('keeps an unknown shortcode an error naming it', () => {
    // Prepare, Act
    const result = expandHugoShortcodes('a\n{{< mystery x >}}', context(), []);
    // Assess
    expect(result.problems[0]).toMatchObject({ line: 2, severity: 'error' });
    expect(result.problems[0]?.message).toContain('"mystery"');
  });

  it('reads param from the page first, then from the site', () => {
    // Prepare, Act
    const result = expandHugoShortcodes('{{< param mood >}} {{< param owner >}}', context(), []);
    // Assess
    expect(result.markdown).toBe('calm Ada');
  });
});

describe('renderGoTemplate', () => {
  it('escapes values unless they are safe, and runs if/else and range', () => {
    // Prepare
    const source = '{{ if .a }}{{ .a }}{{ else }}none{{ end }}|{{ range .list }}[{{ . }}]{{ end }}|{{ .safe }}';
    // Act
    const out = renderGoTemplate(source, { a: '<x>', list: [1, 2], safe: new SafeHtml('<i>s</i>') }, {});
    // Assess
    expect(out).toBe('&lt;x&gt;|[1][2]|<i>s</i>');
  });
});
