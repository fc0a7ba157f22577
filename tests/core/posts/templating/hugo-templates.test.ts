import { describe, expect, it } from 'vitest';
import { expandHugoShortcodes } from '../../../../functions/core/posts/templating/hugo-shortcodes.ts';
import type { ContentContext, TemplateContext } from '../../../../functions/core/posts/templating/template-context.ts';

/*
 * A site's own shortcode templates run against the post: .Page, .Site and the call itself, the bundle's resources,
 * partials and translations uploaded beside the posts, and what the author is told when a template cannot run.
 */

const contextWith = (content: Partial<ContentContext>, sourcePath = '2024/trip/index.md'): TemplateContext => ({
  site: {
    baseUrl: 'https://notes.example/',
    title: 'Notes',
    description: '',
    iframeHosts: [],
    timeZone: 'Europe/Paris',
    language: 'en',
  },
  pageTitle: 'A trip',
  page: { sourcePath, params: { Mood: 'calm', tags: ['a', 'b'] } },
  content: { params: { owner: 'Ada' }, jekyll: {}, shortcodes: {}, ...content },
});

const PAGE = { date: new Date('2024-03-05T09:20:30Z'), url: 'https://notes.example/posts/trip/' };

const expand = (body: string, content: Partial<ContentContext>, sourcePath?: string) =>
  expandHugoShortcodes(body, contextWith(content, sourcePath), [], PAGE);

describe('site templates', () => {
  it('see the page, the site and the call as Hugo gives them', () => {
    // Prepare
    const template =
      '{{ .Page.Title }}|{{ .Page.Permalink }}|{{ .Page.Date.Format "2006-01-02 15:04 MST" }}|{{ .Page.Params.mood }}|' +
      '{{ .Site.Title }}|{{ .Site.Params.owner }}|{{ .Site.Language.Lang }}|{{ .Get "title" | default "untitled" }}|' +
      '{{ .IsNamedParams }}|{{ printf "%T %T" (.Get "n") (.Get "q") }}|{{ .Page.File.ContentBaseName }}|{{ now.Year }}';
    // Act
    const result = expand('{{< info n=5 q="5" >}}', { shortcodes: { info: template } });
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe(
      'A trip|https://notes.example/posts/trip/|2024-03-05 10:20 CET|calm|Notes|Ada|en|untitled|true|int string|trip|2024',
    );
  });

  it('number calls among their siblings and give a nested call its parent', () => {
    // Prepare
    const template = '[{{ .Ordinal }}{{ with .Parent }}<{{ .Get 0 }}{{ end }}]{{ .Inner }}';
    // Act
    const result = expand('{{< s a >}}{{< /s >}}{{< s b >}}{{< s c >}}{{< /s >}}{{< s d >}}{{< /s >}}{{< /s >}}', {
      shortcodes: { s: template },
    });
    // Assess
    expect(result.markdown).toBe('[0][1][0<b][1<b]');
  });

  it('find the bundle’s images and give their public addresses', () => {
    // Prepare
    const template =
      '{{ with .Page.Resources.GetMatch (printf "*%s*" (.Get 0)) }}<img src="{{ .RelPermalink }}">{{ end }}';
    const files = ['2024/trip/index.md', '2024/trip/sunset.jpg'];
    // Act
    const result = expand('{{< photo sunset >}}', { shortcodes: { photo: template }, files });
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe('<img src="https://notes.example/posts/2024/trip/sunset.jpg">');
  });

  it('give processed images as the originals, with no size, and one warning naming the template', () => {
    // Prepare
    const template =
      '{{ $i := (.Page.Resources.GetMatch "*.jpg").Resize "600x" }}<img src="{{ $i.RelPermalink }}" width="{{ $i.Width }}" height="{{ $i.Height }}">';
    const content = {
      shortcodes: { imgproc: template },
      shortcodePaths: { imgproc: 'layouts/shortcodes/imgproc.html' },
      files: ['2024/trip/index.md', '2024/trip/sunset.jpg'],
    };
    // Act
    const result = expand('{{< imgproc >}}\n\n{{< imgproc >}}', content);
    // Assess
    expect(result.markdown).toBe(
      '<img src="https://notes.example/posts/2024/trip/sunset.jpg">\n\n<img src="https://notes.example/posts/2024/trip/sunset.jpg">',
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 1, severity: 'warning' });
    expect(result.problems[0]?.message).toMatch(/layouts\/shortcodes\/imgproc.html processes images \(Resize\)/);
  });

  it('run partials and translations uploaded beside the posts', () => {
    // Prepare
    const content = {
      shortcodes: { note: '<aside>{{ partial "label" (T "note") }} {{ T "items" 3 }} {{ T "items" 1 }}</aside>' },
      partials: { 'label.html': '<strong>{{ . }}</strong>' },
      i18n: { en: { note: 'Note', items: { one: 'One item', other: '{{ .Count }} items' } } },
    };
    // Act
    const result = expand('{{< note >}}', content);
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown).toBe('<aside><strong>Note</strong> 3 items One item</aside>');
  });

  it.each([
    [
      'layouts/shortcodes/x.html',
      '{{ nosuch . }}',
      /layouts\/shortcodes\/x.html \(line 1\) cannot be used here: function "nosuch" not defined/,
    ],
    [
      'templates/shortcodes/x.html',
      'ok\n{{ .Page.Nope }}',
      /templates\/shortcodes\/x.html \(line 2\) cannot be used here: can't evaluate field Nope/,
    ],
    [
      'layouts/shortcodes/x.html',
      '{{ errorf "x needs a %s" "src" }}',
      /x.html \(line 1\) stops this post with its own error: x needs a src/,
    ],
    [
      'layouts/shortcodes/x.html',
      '{{ range seq 2000 }}{{ range seq 2000 }}{{ end }}{{ end }}',
      /x.html \(line 1\) was stopped: the templates of this post ran for more than 1,000,000 steps/,
    ],
  ])('are refused, naming where %s was uploaded and the line', (path, template, message) => {
    // Prepare
    const content = { shortcodes: { x: template }, shortcodePaths: { x: path } };
    // Act
    const result = expand('before\n\n{{< x >}}', content);
    // Assess
    expect(result.problems[0]).toMatchObject({ line: 3, severity: 'error' });
    expect(result.problems[0]?.message).toMatch(message);
  });

  it('stop a partial that includes itself, and only that post', () => {
    // Prepare
    const content = {
      shortcodes: { x: '{{ partial "loop" . }}' },
      partials: { 'loop.html': '{{ partial "loop" . }}' },
    };
    // Act
    const looping = expand('{{< x >}}', content);
    const fine = expand('{{< y >}}', { shortcodes: { y: 'fine' } });
    // Assess
    expect(looping.problems[0]?.message).toMatch(/more than 32 deep.*\(in layouts\/partials\/loop.html\)/);
    expect(fine.problems).toEqual([]);
  });

  it('need a closing tag when they show what goes inside, as Hugo does', () => {
    // Prepare, Act
    const result = expand('{{< box >}}', { shortcodes: { box: '<div>{{ .Inner }}</div>' } });
    // Assess
    expect(result.problems[0]?.message).toMatch(/has no closing \{\{< \/box >\}\}/);
  });

  it('warn once when the files beside the post are not known', () => {
    // Prepare
    const template = '{{ len .Page.Resources }}{{ len .Page.Resources }}';
    // Act
    const result = expand('{{< count >}}', { shortcodes: { count: template } });
    // Assess
    expect(result.markdown).toBe('00');
    expect(result.problems.map((problem) => problem.severity)).toEqual(['warning']);
  });
});
