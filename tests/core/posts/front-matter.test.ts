import { describe, expect, it } from 'vitest';
import { readPostFields, splitFrontMatter } from '../../../functions/core/posts/front-matter.ts';

const FILE = '2024/post.md';

/** Splits and reads a front matter block the way parsePost does. */
const readFields = (text: string, timeZone = 'Europe/Berlin') => {
  const frontMatter = splitFrontMatter(text, FILE);
  return readPostFields({ file: FILE, timeZone, frontMatter });
};

describe('splitFrontMatter', () => {
  it('splits YAML front matter and tells where the body starts', () => {
    // Prepare
    const text = '---\ntitle: Hello\ntags: [a, b]\n---\n\nBody text\n';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result.format).toBe('yaml');
    expect(result.data).toEqual({ title: 'Hello', tags: ['a', 'b'] });
    expect(result.body).toBe('\nBody text\n');
    expect(result.bodyLine).toBe(5);
    expect(result.problems).toEqual([]);
  });

  it('splits TOML front matter between +++ lines', () => {
    // Prepare
    const text = '+++\ntitle = "Hello"\ndraft = true\n+++\nBody';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result.format).toBe('toml');
    expect(result.data).toEqual({ title: 'Hello', draft: true });
    expect(result.body).toBe('Body');
  });

  it('accepts the YAML document end marker as the closing line', () => {
    // Prepare
    const text = '---\ntitle: Hello\n...\nBody';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result.data).toEqual({ title: 'Hello' });
    expect(result.body).toBe('Body');
  });

  it('treats a file without a delimiter line as all body', () => {
    // Prepare
    const text = '# Just a heading\n\nText';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result.format).toBe('none');
    expect(result.body).toBe(text);
    expect(result.problems).toEqual([]);
  });

  it.each([
    [
      'malformed YAML',
      '---\ntitle: Hello\ntags: [a, b\ndate: 2024-01-01\n---\nBody',
      4,
      /YAML front matter cannot be read/,
    ],
    ['a YAML value with a stray colon', '---\ntitle: Hello\nsummary: a: b\n---\nBody', 3, /YAML/],
    ['malformed TOML', '+++\ntitle = "Hello"\ndate = = 2024\n+++\nBody', 3, /TOML front matter cannot be read/],
    ['an unclosed block', '---\ntitle: Hello\n\nBody without a closing line', 1, /never closed/],
    ['JavaScript front matter, which would run code', '---js\n{ title: "x" }\n---\nBody', 1, /"js" is not supported/],
    ['a block that is a list, not fields', '---\n- a\n- b\n---\nBody', 2, /not a set of fields/],
  ])('reports %s with its file line', (_name, text, line, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: FILE, line, severity: 'error' });
    expect(result.problems[0]?.message).toMatch(message);
  });

  it('keeps the last value of a key written twice, as Hugo and Jekyll do, with a warning on its line', () => {
    // Prepare
    const text = '---\ntitle: A\ntags: [x]\ntitle: B\n---\nBody';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result.data).toEqual({ title: 'B', tags: ['x'] });
    expect(result.problems).toEqual([
      expect.objectContaining({ file: FILE, line: 4, field: 'title', severity: 'warning' }),
    ]);
  });

  it.each([
    ['a blank line', '\n---\ntitle: A\n---\nBody', 5],
    ['lines of spaces', '  \n\t\n---\ntitle: A\n---\nBody', 6],
  ])('reads front matter after %s, as Hugo does', (_name, text, bodyLine) => {
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result).toMatchObject({ format: 'yaml', data: { title: 'A' }, body: 'Body', bodyLine, problems: [] });
  });

  it('reads no front matter after a blank line where Jekyll would not either', () => {
    // Prepare
    const text = '\n---\ntitle: A\n---\nBody';
    // Act
    const result = splitFrontMatter(text, FILE, { strictStart: true });
    // Assess
    expect(result).toMatchObject({ format: 'none', data: {}, body: text, problems: [] });
  });

  it('returns fresh data for identical input, so callers may mutate it', () => {
    // Prepare
    const text = '---\ntitle: Same\n---\nBody';
    const first = splitFrontMatter(text, FILE);
    first.data.title = 'Changed';
    // Act
    const second = splitFrontMatter(text, FILE);
    // Assess
    expect(second.data.title).toBe('Same');
  });
});

describe('readPostFields', () => {
  it('reads every supported field', () => {
    // Prepare
    const text = [
      '---',
      'title: "  A <b>bold</b> title  "',
      'date: 2024-11-14T10:00:00+01:00',
      'lastmod: 2024-11-15',
      'publishDate: 2024-11-20 08:00',
      'expiryDate: 2025-01-01T00:00:00Z',
      'description: Short <em>summary</em>',
      'tags: [go, Go, " tooling "]',
      'categories: notes',
      'author: { name: Ada, email: ada@example.org, url: "https://ada.example" }',
      'authors: [Bo, Ada]',
      'slug: Custom Slug',
      'id: post-0001',
      'draft: "true"',
      'weight: 3',
      'layout: post',
      '---',
      'Body',
    ].join('\n');
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(fields).toEqual({
      title: 'A <b>bold</b> title',
      date: new Date('2024-11-14T09:00:00Z'),
      updated: new Date('2024-11-14T23:00:00Z'),
      publishAt: new Date('2024-11-20T07:00:00Z'),
      expiresAt: new Date('2025-01-01T00:00:00Z'),
      summary: 'Short <em>summary</em>',
      tags: ['go', 'tooling'],
      categories: ['notes'],
      authors: [{ name: 'Ada', email: 'ada@example.org', url: 'https://ada.example' }, { name: 'Bo' }],
      slug: 'custom-slug',
      authorId: 'post-0001',
      draft: true,
    });
    expect(problems.map((p) => [p.field, p.severity])).toEqual([['slug', 'warning']]);
  });

  it('reads an unquoted zone-less YAML time in the site zone, not in UTC', () => {
    // Prepare: js-yaml alone would read this as 10:00 UTC.
    const text = '---\ntitle: T\ndate: 2024-11-14 10:00:00 # morning\n---\nBody';
    // Act
    const { fields } = readFields(text);
    // Assess
    expect(fields.date?.toISOString()).toBe('2024-11-14T09:00:00.000Z');
  });

  it.each([
    ['an offset date-time', 'date = 2024-11-14T10:00:00+02:00', '2024-11-14T08:00:00.000Z'],
    ['a local date', 'date = 2024-11-14', '2024-11-13T23:00:00.000Z'],
    ['a local date-time', 'date = 2024-11-14T10:00:00', '2024-11-14T09:00:00.000Z'],
    ['a quoted Jekyll date', 'date = "2019-10-25 10:28 +0200"', '2019-10-25T08:28:00.000Z'],
  ])('reads a TOML %s', (_name, line, expected) => {
    // Prepare
    const text = `+++\ntitle = "T"\n${line}\n+++\nBody`;
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
    expect(fields.date?.toISOString()).toBe(expected);
  });

  it.each([
    ['an empty title', 'title: "   "', 'title', /empty/],
    ['a title with a line break', 'title: "Line one\\nline two"', 'title', /line break/],
    ['a title with a control character', 'title: "Bell\\u0007"', 'title', /control character/],
    ['a title that is a list', 'title: [a, b]', 'title', /must be text/],
    ['an impossible date', 'title: T\ndate: 2024-02-30', 'date', /2024-02-30.*29 days/],
    ['an impossible month', 'title: T\ndate: "2024-13-01"', 'date', /no month 13/],
    ['an unparseable date', 'title: T\ndate: yesterday', 'date', /"yesterday" is not a date/],
    ['an impossible publish date', 'title: T\npublishDate: 2024-04-31', 'publishDate', /30 days/],
    ['a slug with a path', 'title: T\nslug: ../etc', 'slug', /path separator/],
    ['an empty slug', 'title: T\nslug: ""', 'slug', /empty/],
    ['an id with spaces', 'title: T\nid: my post', 'id', /spaces/],
    ['a draft flag that is neither', 'title: T\ndraft: maybe', 'draft', /true or false/],
    ['an author without a name', 'title: T\nauthor: { email: a@example.org }', 'author', /no usable name/],
  ])('reports %s as an error naming the field', (_name, block, field, message) => {
    // Prepare
    const text = `---\n${block}\n---\nBody`;
    // Act
    const { problems } = readFields(text);
    // Assess
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: FILE, field });
    expect(errors[0]?.message).toMatch(message);
  });

  it('names the accepted date forms in the fix', () => {
    // Prepare
    const text = '---\ntitle: T\ndate: 14.11.2024\n---\nBody';
    // Act
    const { problems } = readFields(text);
    // Assess
    expect(problems[0]?.fix).toMatch(/2024-11-14T09:30:00\+01:00/);
    expect(problems[0]?.fix).toMatch(/Europe\/Berlin/);
    expect(problems[0]?.line).toBe(3);
  });

  it('reads no fields from a file without front matter and leaves the title to the caller', () => {
    // Prepare
    const text = 'Just a body';
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
    expect(fields.title).toBeUndefined();
  });

  it('leaves a missing title to the caller, which takes it from the file name', () => {
    // Prepare
    const text = '---\ndate: 2024-01-01\n---\nBody';
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
    expect(fields.title).toBeUndefined();
    expect(fields.date).toBeDefined();
  });

  it('reads a folded author block as one name', () => {
    // Prepare
    const text = '---\ntitle: T\nauthor: >\n  Ada\n  Lovelace\n---\nBody';
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
    expect(fields.authors).toEqual([{ name: 'Ada Lovelace' }]);
  });

  it.each([
    ['words around the date', 'Tuesday 2019-05-07 at 10:00', '2019-05-07T08:00:00.000Z', undefined],
    ['a repeated year', '2019-05-07 2019', '2019-05-06T22:00:00.000Z', /"2019" was left unread/],
    ['a zone name beside its offset', '2019-05-06 10:00:00 -0500 EST', '2019-05-06T15:00:00.000Z', undefined],
    ['a zone Ruby does not know', '2019-05-07 10:00 CEST', '2019-05-07T08:00:00.000Z', /CEST/],
  ])('reads a Jekyll date with %s as Ruby does', (_name, written, expected, note) => {
    // Prepare
    const text = `---\ntitle: T\ndate: "${written}"\n---\nBody`;
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(fields.date?.toISOString()).toBe(expected);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    if (note) expect(problems).toEqual([expect.objectContaining({ field: 'date', line: 3, severity: 'warning' })]);
    if (note) expect(problems[0]?.message).toMatch(note);
    else expect(problems).toEqual([]);
  });

  it('keeps HTML in a title as literal text', () => {
    // Prepare
    const text = '---\ntitle: "</title><script>alert(1)</script>"\n---\nBody';
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
    expect(fields.title).toBe('</title><script>alert(1)</script>');
  });

  it.each([
    ['a list', 'tags: [go, rust]', ['go', 'rust']],
    ['a single word', 'tags: go', ['go']],
    ['a comma-separated string', 'tags: "go, small software ,  rust"', ['go', 'small software', 'rust']],
    ['duplicates in other case', 'tags: [Go, go, GO, rust]', ['Go', 'rust']],
    ['numbers and blanks', 'tags: [2024, "", " x "]', ['2024', 'x']],
  ])('reads tags given as %s', (_name, line, expected) => {
    // Prepare
    const text = `---\ntitle: T\n${line}\n---\nBody`;
    // Act
    const { fields } = readFields(text);
    // Assess
    expect(fields.tags).toEqual(expected);
  });

  it('reads the Jekyll singular category', () => {
    // Prepare
    const text = '---\ntitle: T\ncategory: releases\n---\nBody';
    // Act
    const { fields } = readFields(text);
    // Assess
    expect(fields.categories).toEqual(['releases']);
  });

  it('makes a post unpublished in Jekyll terms a draft', () => {
    // Prepare
    const text = '---\ntitle: T\npublished: false\n---\nBody';
    // Act
    const { fields } = readFields(text);
    // Assess
    expect(fields.draft).toBe(true);
  });

  it('reads a Hugo published date as the publish date', () => {
    // Prepare
    const text = '---\ntitle: T\npublished: 2024-11-20T08:00:00Z\n---\nBody';
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
    expect(fields.draft).toBe(false);
    expect(fields.publishAt?.toISOString()).toBe('2024-11-20T08:00:00.000Z');
  });

  it('reads field names case-insensitively, as Hugo does', () => {
    // Prepare
    const text = '---\nTitle: T\nPublishDate: 2024-01-02T00:00:00Z\nExpiryDate: 2024-02-02T00:00:00Z\n---\nBody';
    // Act
    const { fields } = readFields(text);
    // Assess
    expect(fields.title).toBe('T');
    expect(fields.publishAt?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(fields.expiresAt?.toISOString()).toBe('2024-02-02T00:00:00.000Z');
  });

  it('drops an author email and url that are not addresses, with warnings', () => {
    // Prepare
    const text = '---\ntitle: T\nauthor:\n  name: Ada\n  email: not-an-email\n  url: javascript:alert(1)\n---\nBody';
    // Act
    const { fields, problems } = readFields(text);
    // Assess
    expect(fields.authors).toEqual([{ name: 'Ada' }]);
    expect(problems.map((p) => p.severity)).toEqual(['warning', 'warning']);
  });

  it.each([
    ['titel', 'title'],
    ['tittle', 'title'],
    ['dat', 'date'],
    ['tag', 'tags'],
    ['catgories', 'categories'],
    ['drafts', 'draft'],
  ])('warns that %s is probably a typo of %s', (typo, intended) => {
    // Prepare
    const text = `---\ntitle: T\n${typo}: x\n---\nBody`;
    // Act
    const { problems } = readFields(text);
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: typo, severity: 'warning', line: 3 });
    expect(problems[0]?.fix).toContain(`"${intended}"`);
  });

  it('ignores unknown fields that resemble nothing it reads', () => {
    // Prepare
    const text = '---\ntitle: T\nmood: cheerful\nimages: [a.png]\ntoc: true\nurl: /old/path/\n---\nBody';
    // Act
    const { problems } = readFields(text);
    // Assess
    expect(problems).toEqual([]);
  });
});

describe('splitFrontMatter on Hugo’s JSON front matter', () => {
  it('reads the object at the top of the file, and the body after its closing brace', () => {
    // Prepare
    const text = '{\n  "title": "In JSON",\n  "tags": ["a", "b"]\n}\n\nThe body.';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result).toMatchObject({ format: 'json', data: { title: 'In JSON', tags: ['a', 'b'] }, bodyLine: 5 });
    expect(result.body).toBe('\nThe body.');
  });

  it('reads a body that opens with a shortcode as body', () => {
    // Prepare
    const text = '{{< note >}}\nHello\n{{< /note >}}';
    // Act
    const result = splitFrontMatter(text, FILE);
    // Assess
    expect(result).toMatchObject({ format: 'none', body: text, problems: [] });
  });
});
