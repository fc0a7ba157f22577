import { describe, expect, it } from 'vitest';
import { notAPostReason, sourceKindOf } from '../../../../functions/core/posts/source-kind.ts';
import { readContentContext, siteFileKindOf } from '../../../../functions/core/posts/templating/site-files.ts';

describe('site files', () => {
  it.each([
    ['_config.yml', 'jekyll-config'],
    ['hugo.toml', 'hugo-config'],
    ['config.yaml', 'hugo-config'],
    ['layouts/shortcodes/note.html', 'shortcode'],
    ['templates/shortcodes/blog/quote.html', 'shortcode'],
    ['layouts/partials/card.html', 'partial'],
    ['layouts/partials/blog/byline.html', 'partial'],
    ['i18n/en.toml', 'i18n'],
    ['i18n/pt-br.yaml', 'i18n'],
    ['i18n/notes.txt', undefined],
    ['_includes/signup.html', 'include'],
    ['2024/_config.yml', undefined],
    ['2024/hello.md', undefined],
    ['assets/shortcodes/note.txt', undefined],
  ])('reads %s as %s', (path, kind) => {
    // Prepare: nothing beyond the table row.
    // Act
    const found = siteFileKindOf(path);
    // Assess
    expect(found).toBe(kind);
    expect(sourceKindOf(path)).toBe(kind === undefined ? (path.endsWith('.md') ? 'post' : 'asset') : 'site-file');
  });

  it('gathers Jekyll settings, Hugo params (case-insensitive, as Hugo keeps them), templates and includes', () => {
    // Prepare
    const files = [
      { path: '_config.yml', text: 'repository: me/blog\nauthor:\n  name: Ada\n' },
      { path: 'hugo.toml', text: '[params]\nMastodonHandle = "@ada"\n[params.Social]\nGitHub = "ada"\n' },
      { path: 'layouts/shortcodes/note.html', text: '<aside>{{ .Inner }}</aside>' },
      { path: '_includes/signup.html', text: '<p>Sign up</p>' },
    ];
    // Act
    const { content, problems } = readContentContext(files, ['2024/a.md']);
    // Assess
    expect(problems).toEqual([]);
    expect(content.jekyll).toEqual({ repository: 'me/blog', author: { name: 'Ada' } });
    expect(content.params).toEqual({ mastodonhandle: '@ada', social: { github: 'ada' } });
    expect(content.shortcodes).toEqual({ note: '<aside>{{ .Inner }}</aside>' });
    expect(content.includes).toEqual({ 'signup.html': '<p>Sign up</p>' });
    expect(content.sources).toEqual(['2024/a.md']);
    expect(content.generator).toBe('jekyll');
  });

  it('reads where a Hugo site puts its pages: baseURL, uglyURLs and every content folder, keys in any case', () => {
    // Prepare
    const files = [
      {
        path: 'config.yaml',
        text: 'baseURL: https://grpc.example/\nuglyurls: true\nlanguages:\n  en:\n    contentDir: content/en\n  fr:\n    contentDir: content/fr/\n',
      },
    ];
    // Act
    const { content } = readContentContext(files);
    // Assess
    expect(content.hugo).toEqual({
      baseURL: 'https://grpc.example/',
      uglyURLs: true,
      contentDirs: ['content/en', 'content/fr'],
    });
  });

  it.each([
    ['_config.yml', 'title: [unclosed\n', /_config\.yml/],
    ['hugo.toml', '[params\nx = 1\n', /Hugo settings cannot be read/],
  ])('warns about a settings file it cannot read (%s) and goes on without it', (path, text, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const { content, problems } = readContentContext([{ path, text }]);
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path, severity: 'warning' });
    expect(`${problems[0]?.file} ${problems[0]?.message}`).toMatch(message);
    expect(content.params).toEqual({});
    expect(content.jekyll).toEqual({});
  });

  it('keeps where each shortcode was uploaded, the partials, and the Hugo settings beyond params', () => {
    // Prepare
    const files = [
      { path: 'layouts/shortcodes/note.html', text: 'a' },
      { path: 'templates/shortcodes/blog/quote.html', text: 'b' },
      { path: 'layouts/partials/card.html', text: 'c' },
      { path: 'hugo.toml', text: 'defaultContentLanguage = "en"\n[privacy.youtube]\nprivacyEnhanced = true\n' },
    ];
    // Act
    const { content, problems } = readContentContext(files);
    // Assess
    expect(problems).toEqual([]);
    expect(content.shortcodePaths).toEqual({
      note: 'layouts/shortcodes/note.html',
      'blog/quote': 'templates/shortcodes/blog/quote.html',
    });
    expect(content.partials).toEqual({ 'card.html': 'c' });
    expect(content.hugoConfig).toEqual({
      defaultcontentlanguage: 'en',
      privacy: { youtube: { privacyenhanced: true } },
    });
  });

  it.each([
    ['i18n/en.toml', 'note = "Note"\n[apples]\none = "One apple"\nother = "{{ .Count }} apples"\n'],
    ['i18n/en.yaml', 'note: Note\napples:\n  one: One apple\n  other: "{{ .Count }} apples"\n'],
    [
      'i18n/en.json',
      '[{"id": "note", "translation": "Note"}, {"id": "apples", "translation": {"one": "One apple", "other": "{{ .Count }} apples"}}]',
    ],
  ])('reads the translations of %s, plural forms included', (path, text) => {
    // Prepare, Act
    const { content, problems } = readContentContext([{ path, text }]);
    // Assess
    expect(problems).toEqual([]);
    expect(content.i18n).toEqual({ en: { note: 'Note', apples: { one: 'One apple', other: '{{ .Count }} apples' } } });
  });

  it('warns about translations it cannot read and goes on without them', () => {
    // Prepare, Act
    const { content, problems } = readContentContext([{ path: 'i18n/fr.toml', text: 'note = \n' }]);
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'i18n/fr.toml', severity: 'warning' });
    expect(problems[0]?.message).toMatch(/translations cannot be read/);
    expect(content.i18n).toEqual({ fr: {} });
  });
});

describe('Markdown files that are not posts', () => {
  it.each([
    ['content/blog/_index.md', /section page/],
    ['_posts/index.md', /not named YYYY-MM-DD-title/],
    ['blog/_posts/notes.markdown', /not named YYYY-MM-DD-title/],
    ['_drafts/2024-01-01-soon.md', /draft/],
  ])('skips %s as the generator does, saying why', (path, reason) => {
    // Act
    const kind = sourceKindOf(path);
    // Assess
    expect(kind).toBe('ignored');
    expect(notAPostReason(path)).toMatch(reason);
  });

  it.each([
    'content/blog/hello/index.md',
    '_posts/2024-01-01-hello.md',
    '_posts/2024/2024-1-1-hello.markdown',
    'notes.md',
  ])('keeps %s a post', (path) => {
    // Act
    const kind = sourceKindOf(path);
    // Assess
    expect(kind).toBe('post');
    expect(notAPostReason(path)).toBeUndefined();
  });
});
