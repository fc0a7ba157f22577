import matter from 'gray-matter';
import { parse as parseToml, TomlDate, TomlError } from 'smol-toml';
import { checkAuthorSlug } from '../slug.ts';
import type { Author, Problem } from '../types.ts';
import { ACCEPTED_DATE_FORMS, parseDateValue } from './dates.ts';

/** The front matter block of a post, split from its body. Lines are 1-based lines of the file. */
export interface FrontMatter {
  format: 'yaml' | 'toml' | 'json' | 'none';
  data: Record<string, unknown>;
  /** The block's source text, without its delimiter lines. */
  raw: string;
  body: string;
  /** The file line the body starts on. */
  bodyLine: number;
  problems: Problem[];
}

const DELIMITERS = { '---': 'yaml', '+++': 'toml' } as const;

/** How strictly the opening delimiter is looked for. */
export interface SplitOptions {
  /**
   * Jekyll reads front matter only when `---` is the file's very first line; Hugo skips blank lines (and lines of
   * spaces) before it. Default: Hugo's reading, the more forgiving one.
   */
  strictStart?: boolean;
}

/**
 * Splits YAML (`---`) or TOML (`+++`) front matter from the body and parses it. Syntax errors carry the file line.
 * Only these two languages: gray-matter's `---js` would evaluate the block as code. A key written twice keeps its
 * last value, as Ruby's and Go's YAML readers do, with a warning naming both lines.
 * @example splitFrontMatter('---\ntitle: Hi\n---\nBody', 'a.md').data // { title: 'Hi' }
 */
export const splitFrontMatter = (text: string, file: string, options: SplitOptions = {}): FrontMatter => {
  const allLines = text.split('\n');
  const skip = options.strictStart ? 0 : leadingBlankLines(allLines);
  const lines = skip > 0 && isDelimiterLine(allLines[skip]) ? allLines.slice(skip) : allLines;
  const offset = lines === allLines ? 0 : skip;
  const opening = (lines[0] ?? '').trimEnd();
  const none: FrontMatter = { format: 'none', data: {}, raw: '', body: text, bodyLine: 1, problems: [] };
  if (!options.strictStart && JSON_OPENING.test(opening)) return splitJsonFrontMatter(lines, offset) ?? none;
  if (opening !== '---' && opening !== '+++') {
    const language = /^---\s*([A-Za-z]\w*)$/.exec(opening)?.[1];
    if (!language) return none;
    return {
      ...none,
      body: '',
      problems: [
        {
          file,
          line: 1 + offset,
          message: `Front matter in "${language}" is not supported.`,
          fix: 'Write the front matter in YAML between --- lines, or in TOML between +++ lines.',
          severity: 'error',
        },
      ],
    };
  }
  const format = DELIMITERS[opening];
  const closing = lines.findIndex(
    (line, index) => index > 0 && (line.trimEnd() === opening || (format === 'yaml' && line.trimEnd() === '...')),
  );
  if (closing === -1) {
    return {
      ...none,
      format,
      body: '',
      problems: [
        {
          file,
          line: 1 + offset,
          message: `The front matter that opens with ${opening} on line ${1 + offset} is never closed.`,
          fix: `Add a line with just ${opening} after the last front matter field.`,
          severity: 'error',
        },
      ],
    };
  }
  const raw = lines.slice(1, closing).join('\n');
  const body = lines.slice(closing + 1).join('\n');
  const base = { format, raw, body, bodyLine: closing + 2 + offset };
  const parsed = format === 'yaml' ? parseYaml(raw) : parseTomlBlock(raw);
  if ('error' in parsed) {
    const problem: Problem = {
      file,
      message: `The ${format.toUpperCase()} front matter cannot be read: ${parsed.error}.`,
      fix: `Correct the ${format.toUpperCase()} syntax near that line (quote values that contain a colon or #).`,
      severity: 'error',
    };
    if (parsed.line !== undefined) problem.line = parsed.line + 1 + offset;
    return { ...base, data: {}, problems: [problem] };
  }
  const duplicates = 'duplicates' in parsed ? parsed.duplicates : [];
  const warnings = duplicates.map(
    ({ key, line }): Problem => ({
      file,
      line: line + 1 + offset,
      field: key,
      message: `The field "${key}" is written twice in the front matter; the last one is used, as Hugo and Jekyll do.`,
      fix: `Remove the ${key}: line you do not mean.`,
      severity: 'warning',
    }),
  );
  if (typeof parsed.data !== 'object' || parsed.data === null || Array.isArray(parsed.data)) {
    return {
      ...base,
      data: {},
      problems: [
        {
          file,
          line: 2 + offset,
          message: 'The front matter is not a set of fields.',
          fix: 'Write one "name: value" field per line, such as title: My post.',
          severity: 'error',
        },
      ],
    };
  }
  return { ...base, data: parsed.data as Record<string, unknown>, problems: warnings };
};

/** The first line of JSON front matter: a brace alone, or a brace and the first key (never a shortcode's `{{`). */
const JSON_OPENING = /^\{\s*(?:"|$)/;

const isDelimiterLine = (line: string | undefined): boolean =>
  /^(?:---|\+\+\+)\s*$/.test(line ?? '') || JSON_OPENING.test(line ?? '');

const leadingBlankLines = (lines: readonly string[]): number => {
  let index = 0;
  while (index < lines.length - 1 && (lines[index] ?? '').trim() === '') index++;
  return index;
};

/**
 * Hugo's third kind of front matter: a JSON object at the top of the file, with no delimiter lines; the body starts
 * after the line that closes it. Undefined when no line closes a valid object, so the file is read as all body.
 */
const splitJsonFrontMatter = (lines: readonly string[], offset: number): FrontMatter | undefined => {
  // Try each line that ends with a brace as the closing one; the first that makes a valid object wins.
  for (let closing = 0; closing < Math.min(lines.length, 200); closing++) {
    if (!(lines[closing] ?? '').trimEnd().endsWith('}')) continue;
    const raw = lines.slice(0, closing + 1).join('\n');
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      continue;
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
    return {
      format: 'json',
      data: data as Record<string, unknown>,
      raw,
      body: lines.slice(closing + 1).join('\n'),
      bodyLine: closing + 2 + offset,
      problems: [],
    };
  }
  return undefined;
};

type Parsed = { data: unknown; duplicates?: { key: string; line: number }[] } | { error: string; line?: number };

/** Line numbers returned here are 1-based within the block. */
const parseYaml = (raw: string): Parsed => {
  try {
    return { data: readYaml(raw, false) };
  } catch (error) {
    const yamlError = error as { reason?: string; mark?: { line?: number }; message?: string };
    const line = yamlError.mark?.line;
    if (yamlError.reason === 'duplicated mapping key') {
      // js-yaml refuses a key written twice, where Ruby's Psych and Go's yaml take the last one. Its JSON mode does
      // the same as they do; the first refusal told where the repeat is, so each one can be named.
      try {
        return { data: readYaml(raw, true), duplicates: findDuplicateKeys(raw) };
      } catch {
        // Some other error further on: report the first one below.
      }
    }
    const result: { error: string; line?: number } = { error: yamlError.reason ?? String(yamlError.message) };
    // gray-matter hands js-yaml the block with the newline after `---` in front, so its 0-based line is 1-based here.
    if (typeof line === 'number') result.line = line;
    return result;
  }
};

const readYaml = (raw: string, lastKeyWins: boolean): unknown => {
  // With options given, gray-matter neither caches nor shares the result between calls. It hands its options to
  // js-yaml's safeLoad, whose `json` option lets a later key replace an earlier one instead of failing.
  const options = { language: 'yaml', engines: { javascript: refuseEngine }, ...(lastKeyWins ? { json: true } : {}) };
  return matter(`---\n${raw}\n---\n`, options).data ?? {};
};

/** Top-level keys written more than once, each with the 1-based line of its repeat within the block. */
const findDuplicateKeys = (raw: string): { key: string; line: number }[] => {
  const seen = new Set<string>();
  const repeats: { key: string; line: number }[] = [];
  raw.split('\n').forEach((line, index) => {
    const key = /^(?:"([^"]+)"|'([^']+)'|([^\s#:'"][^:]*?))\s*:(?:\s|$)/.exec(line);
    const name = key?.[1] ?? key?.[2] ?? key?.[3];
    if (name === undefined) return;
    if (seen.has(name)) repeats.push({ key: name, line: index + 1 });
    seen.add(name);
  });
  return repeats;
};

const parseTomlBlock = (raw: string): Parsed => {
  try {
    return { data: parseToml(raw) };
  } catch (error) {
    if (!(error instanceof TomlError)) return { error: String(error) };
    const reason = error.message.replace(/^Invalid TOML document: /, '').split('\n')[0] ?? 'invalid TOML';
    return { error: reason, line: error.line };
  }
};

const refuseEngine = (): object => {
  throw new Error('code in front matter is not run');
};

// ------------------------------------------------------------------------------------------------------------------

/** What the front matter says about a post, checked and normalised; undefined where the author said nothing. */
export interface PostFields {
  title?: string;
  date?: Date;
  updated?: Date;
  publishAt?: Date;
  expiresAt?: Date;
  /** As written; may contain HTML, which the caller turns into text. */
  summary?: string;
  tags: string[];
  categories: string[];
  authors: Author[];
  slug?: string;
  authorId?: string;
  draft: boolean;
}

export interface FieldContext {
  file: string;
  timeZone: string;
  frontMatter: Pick<FrontMatter, 'format' | 'raw' | 'data'>;
  /** In a site moved from Hugo or Jekyll the slug goes into the address as written: no note on how it is cleaned. */
  slugAsWritten?: boolean;
}

/** Hugo and Jekyll names for each field, lower-cased (Hugo reads front matter keys case-insensitively). */
const FIELD_NAMES = {
  title: ['title'],
  date: ['date'],
  updated: ['lastmod', 'updated', 'last_modified_at', 'modified'],
  publishAt: ['publishdate', 'publish_date', 'pubdate'],
  expiresAt: ['expirydate', 'expiry_date', 'expirationdate', 'unpublishdate'],
  summary: ['description', 'summary', 'excerpt'],
  tags: ['tags'],
  categories: ['categories', 'category'],
  author: ['author'],
  authors: ['authors'],
  slug: ['slug'],
  id: ['id'],
  draft: ['draft'],
  published: ['published'],
} as const;

/** Fields Hugo and Jekyll themes use that mean nothing for a feed or newsletter: accepted without a word. */
const IGNORED_FIELDS = new Set([
  'aliases',
  'weight',
  'layout',
  'type',
  'images',
  'image',
  'keywords',
  'toc',
  'url',
  'permalink',
  'comments',
  'sitemap',
  'menu',
  'menus',
  'series',
  'cover',
  'math',
  'markup',
  'outputs',
  'linktitle',
  'headless',
  'resources',
  'build',
  'cascade',
  'translationkey',
  'iscjklanguage',
  'lang',
  'language',
  'hidden',
  'featured',
  'featured_image',
  'thumbnail',
  'canonical',
  'canonical_url',
  'redirect_from',
  'redirect_to',
  'excerpt_separator',
  'subtitle',
  'params',
  'showtoc',
  'tocopen',
  'share',
  'header',
  'feature',
  'mathjax',
  'katex',
  'robots',
  'noindex',
]);

/**
 * Reads the fields of a post from parsed front matter, reporting every problem at once with its field (and line,
 * when the field can be found in the block).
 */
export const readPostFields = (context: FieldContext): { fields: PostFields; problems: Problem[] } => {
  const problems: Problem[] = [];
  const data = lowerCaseKeys(context.frontMatter.data);
  const report = (field: string, severity: Problem['severity'], message: string, fix: string): void => {
    const problem: Problem = { file: context.file, field, message, fix, severity };
    const line = findFieldLine(context.frontMatter.raw, field);
    if (line !== undefined) problem.line = line;
    problems.push(problem);
  };
  const pick = (names: readonly string[]): { name: string; value: unknown } | undefined => {
    const name = names.find((candidate) => data.has(candidate) && data.get(candidate)?.value != null);
    return name === undefined ? undefined : { name: data.get(name)?.original ?? name, value: data.get(name)?.value };
  };

  const fields: PostFields = { tags: [], categories: [], authors: [], draft: false };
  // A missing title is the caller's to fill in (from the file name, as Jekyll does); a bad one is an error here.
  const title = readTitle(pick(FIELD_NAMES.title)?.value);
  if ('error' in title) report('title', 'error', title.error, title.fix);
  else if (title.value !== undefined) fields.title = title.value;

  // `published` is a flag in Jekyll (`published: false`) and a publish date in Hugo; its value tells which.
  const published = pick(FIELD_NAMES.published);
  const publishedIsDate = published !== undefined && readFlag(published.value) === undefined;
  for (const key of ['date', 'updated', 'publishAt', 'expiresAt'] as const) {
    const found = pick(FIELD_NAMES[key]) ?? (key === 'publishAt' && publishedIsDate ? published : undefined);
    if (!found) continue;
    const reading = parseDateValue(recoverRawDate(found, context.frontMatter), context.timeZone);
    if (reading.ok) {
      fields[key] = reading.date;
      if (reading.note) {
        report(
          found.name,
          'warning',
          `${found.name} is read as ${reading.date.toISOString()}: ${reading.note}.`,
          `Write the date as ${ACCEPTED_DATE_FORMS} to say exactly what you mean.`,
        );
      }
    } else
      report(
        found.name,
        'error',
        `Cannot read ${found.name}: ${reading.reason}.`,
        `Write the date as ${ACCEPTED_DATE_FORMS}; times without an offset are read in ${context.timeZone}.`,
      );
  }

  const summary = pick(FIELD_NAMES.summary);
  if (summary && typeof summary.value === 'string' && summary.value.trim() !== '') fields.summary = summary.value;
  else if (summary && typeof summary.value !== 'string') {
    report(summary.name, 'error', `${summary.name} must be text.`, `Write ${summary.name}: as one sentence or two.`);
  }

  fields.tags = readTermList(pick(FIELD_NAMES.tags), report);
  fields.categories = readTermList(pick(FIELD_NAMES.categories), report);
  fields.authors = dedupeAuthors([
    ...readAuthors(pick(FIELD_NAMES.author), report),
    ...readAuthors(pick(FIELD_NAMES.authors), report),
  ]);

  const slug = pick(FIELD_NAMES.slug);
  if (slug) {
    const checked = checkAuthorSlug(slug.value);
    if (!checked.ok) {
      report(
        'slug',
        'error',
        `${checked.reason}.`,
        'Use lower-case letters, digits and hyphens, such as my-first-post.',
      );
    } else {
      fields.slug = checked.slug;
      if (!context.slugAsWritten && String(slug.value).trim() !== checked.slug) {
        report(
          'slug',
          'warning',
          `The slug "${String(slug.value).trim()}" is published as "${checked.slug}".`,
          `Write slug: ${checked.slug} to make that explicit.`,
        );
      }
    }
  }

  const id = pick(FIELD_NAMES.id);
  if (id) {
    const checked = readAuthorId(id.value);
    if ('error' in checked)
      report('id', 'error', checked.error, 'Use one word without spaces, such as 2024-hello or a URI.');
    else fields.authorId = checked.value;
  }

  const draft = pick(FIELD_NAMES.draft);
  const draftFlag = draft ? readFlag(draft.value) : false;
  const publishedFlag = published && !publishedIsDate ? readFlag(published.value) : true;
  if (draftFlag === undefined)
    report('draft', 'error', 'draft must be true or false.', 'Write draft: true or draft: false.');
  fields.draft = draftFlag === true || publishedFlag === false;

  for (const { original } of data.values()) {
    const suggestion = suggestFieldName(original.toLowerCase());
    if (suggestion) {
      report(
        original,
        'warning',
        `The field "${original}" is not one this publisher knows, so it is ignored.`,
        `Did you mean "${suggestion}"? Rename the field if so.`,
      );
    }
  }
  return { fields, problems };
};

const lowerCaseKeys = (data: Record<string, unknown>): Map<string, { original: string; value: unknown }> => {
  const map = new Map<string, { original: string; value: unknown }>();
  for (const [key, value] of Object.entries(data)) {
    if (!map.has(key.toLowerCase())) map.set(key.toLowerCase(), { original: key, value });
  }
  return map;
};

/** The file line of a top-level field (`name:` in YAML, `name =` in TOML); the block starts on file line 2. */
const findFieldLine = (raw: string, field: string): number | undefined => {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^["']?${escaped}["']?\\s*[:=]`, 'i');
  const index = raw.split('\n').findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 2;
};

/**
 * YAML parsers turn `2024-11-14 10:00:00` into an instant in UTC, losing that the author wrote a wall-clock time
 * with no zone. The block still has what was written, so read the value from there. TOML dates keep their form.
 */
const recoverRawDate = (
  found: { name: string; value: unknown },
  frontMatter: Pick<FrontMatter, 'format' | 'raw'>,
): unknown => {
  if (found.value instanceof TomlDate) {
    return found.value.isTime() ? `the time ${found.value.toISOString()}` : found.value.toISOString();
  }
  if (!(found.value instanceof Date) || frontMatter.format !== 'yaml') return found.value;
  const escaped = found.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^${escaped}\\s*:[ \\t]*([^\\n#]*)`, 'm').exec(frontMatter.raw);
  const written = line?.[1]?.trim();
  return written && /^\d{4}-/.test(written) ? written : found.value;
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const readTitle = (value: unknown): { value?: string } | { error: string; fix: string } => {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string' && typeof value !== 'number') {
    return { error: 'The title must be text.', fix: 'Write the title on one line after title:.' };
  }
  const title = String(value).trim();
  if (title === '') return { error: 'The title is empty.', fix: 'Give the post a title.' };
  if (CONTROL_CHARACTERS.test(title)) {
    return {
      error: 'The title contains a line break or another control character.',
      fix: 'Write the title on a single line, without tabs or invisible characters.',
    };
  }
  return { value: title };
};

type Report = (field: string, severity: Problem['severity'], message: string, fix: string) => void;

/**
 * Tags or categories: a list, or one string where commas separate terms (`go, tooling`). Spaces do not separate
 * terms, because multi-word tags are common. Duplicates are dropped regardless of case; the first spelling wins.
 */
const readTermList = (found: { name: string; value: unknown } | undefined, report: Report): string[] => {
  if (!found) return [];
  const items = Array.isArray(found.value)
    ? found.value
    : typeof found.value === 'string'
      ? found.value.split(',')
      : [found.value];
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      report(found.name, 'warning', `An entry of ${found.name} is not text and is ignored.`, 'List plain words.');
      continue;
    }
    const term = String(item).trim().replace(/\s+/g, ' ');
    if (term === '' || CONTROL_CHARACTERS.test(term) || seen.has(term.toLowerCase())) continue;
    seen.add(term.toLowerCase());
    terms.push(term);
  }
  return terms;
};

const readAuthors = (found: { name: string; value: unknown } | undefined, report: Report): Author[] => {
  if (!found) return [];
  const items = Array.isArray(found.value) ? found.value : [found.value];
  const authors: Author[] = [];
  for (const item of items) {
    const author = readAuthor(item, found.name, report);
    if (author) authors.push(author);
  }
  return authors;
};

const readAuthor = (item: unknown, field: string, report: Report): Author | undefined => {
  // A folded or literal block (`author: >`) ends in a newline and may span lines: one name, spaces folded.
  const written = typeof item === 'string' ? item.replace(/\s+/g, ' ').trim() : undefined;
  if (written !== undefined && written !== '' && !CONTROL_CHARACTERS.test(written)) return { name: written };
  const record =
    typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
  const name = typeof record.name === 'string' ? record.name.trim() : '';
  if (name === '' || CONTROL_CHARACTERS.test(name)) {
    report(
      field,
      'error',
      `An entry of ${field} has no usable name.`,
      `Write ${field}: as a name, or as name:, email: and url: fields.`,
    );
    return undefined;
  }
  const author: Author = { name };
  if (typeof record.email === 'string' && /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(record.email.trim())) {
    author.email = record.email.trim();
  } else if (record.email !== undefined) {
    report(
      field,
      'warning',
      `The email of ${name} is not an address and is left out.`,
      'Write it as name@example.org.',
    );
  }
  if (typeof record.url === 'string' && isHttpUrl(record.url.trim())) author.url = record.url.trim();
  else if (record.url !== undefined) {
    report(
      field,
      'warning',
      `The url of ${name} is not an http(s) address and is left out.`,
      'Write a full https:// URL.',
    );
  }
  return author;
};

const isHttpUrl = (text: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
};

const dedupeAuthors = (authors: Author[]): Author[] =>
  authors.filter((author, index) => authors.findIndex((other) => other.name === author.name) === index);

const readAuthorId = (value: unknown): { value: string } | { error: string } => {
  if (typeof value !== 'string' && typeof value !== 'number') return { error: 'The id must be text or a number.' };
  const id = String(value).trim();
  if (id === '') return { error: 'The id is empty.' };
  if (/\s/.test(id) || CONTROL_CHARACTERS.test(id))
    return { error: `The id "${id}" contains spaces or control characters.` };
  if (id.length > 200) return { error: 'The id is longer than 200 characters.' };
  return { value: id };
};

/** true/false, also as the strings Hugo and Jekyll users write; undefined when it is neither. */
const readFlag = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (['true', 'yes'].includes(text)) return true;
  if (['false', 'no'].includes(text)) return false;
  return undefined;
};

const KNOWN_FIELDS = new Set<string>([...Object.values(FIELD_NAMES).flat(), ...IGNORED_FIELDS]);

/** Names worth suggesting for a misspelt field: the ones that change what gets published. */
const SUGGESTIONS = [
  'title',
  'date',
  'lastmod',
  'updated',
  'description',
  'summary',
  'tags',
  'categories',
  'author',
  'authors',
  'slug',
  'draft',
  'publishDate',
  'expiryDate',
];

/** A known field name the unknown one is probably a typo of (`titel` -> `title`), if any. */
const suggestFieldName = (name: string): string | undefined => {
  if (KNOWN_FIELDS.has(name) || name.length < 3) return undefined;
  const limit = name.length <= 4 ? 1 : 2;
  return SUGGESTIONS.find((candidate) => editDistance(name, candidate.toLowerCase()) <= limit);
};

/** Levenshtein distance with adjacent transpositions counted as one edit. */
const editDistance = (a: string, b: string): number => {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
};
