/**
 * Mail templates: MJML compiled once per template, then personalised per recipient by plain substitution.
 *
 * Rendering MJML per recipient is the known anti-pattern (about 20 ms each: hours for a big list), so placeholders
 * come in two kinds. Site-wide values (title, URLs, postal address) are substituted into the MJML source before it is
 * compiled; per-recipient values (`{{confirmUrl}}`, `{{recipientName}}`, later `{{unsubscribeUrl}}`) pass through
 * MJML untouched and are substituted into the compiled HTML and the derived text, HTML-escaped in the HTML.
 *
 * Partials are resolved here from a map of file contents instead of by MJML's own `mj-include`, which reads the file
 * system: core stays pure, and a path can only name a file the caller handed over, so there is nothing to traverse.
 */
import { convert, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';
import mjml2html from 'mjml';
import { ConfigError } from '../errors.ts';
import { escapeHtml } from '../html.ts';
import type { SiteConfig } from '../types.ts';
import { type CompiledMail, MailTemplateError, PLACEHOLDER } from './personalize.ts';

export { type CompiledMail, MailTemplateError, oneLine, personalizeMail } from './personalize.ts';

/** Braces left over once every well-formed placeholder is taken out: a typo such as `{{siteTitle}`. */
const STRAY_BRACES = /\{\{|\}\}/;
/** An mj-include on a line of its own, which keeps the line map (and so error positions) simple. */
const INCLUDE_LINE = /^\s*<mj-include\s+path="([^"]+)"\s*\/>\s*$/;

/** Struck-out text stays struck out in the text part, written as Markdown writes it: `~~text~~`. */
const strikethrough: FormatCallback = (element, walk, builder) => {
  builder.addInline('~~');
  walk(element.children, builder);
  builder.addInline('~~');
};

const TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: 76,
  formatters: { strikethrough },
  selectors: [
    ...['del', 's', 'strike'].map((selector) => ({ selector, format: 'strikethrough' })),
    // MJML's layout tables are all role="presentation"; any other table is the author's, laid out as columns.
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    { selector: 'table[role="presentation"]', format: 'block' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    // Each mj-text is a div: give it a blank line around, as paragraphs have.
    { selector: 'div', options: { leadingLineBreaks: 2, trailingLineBreaks: 2 } },
    { selector: 'img', format: 'skip' },
    // MJML's preview line: shown beside the subject by mail apps, noise at the top of a text part.
    { selector: 'div[style*="display:none"]', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
};

/** One line of the expanded template and where it came from. */
interface SourceLine {
  text: string;
  file: string;
  line: number;
}

/**
 * Inlines `<mj-include path="…" />` lines from `files`, recursively, keeping each line's origin. Partials are bare
 * MJML fragments (no `<mjml>` wrapper); paths are keys of `files`, relative to the templates folder.
 */
const expandIncludes = (
  files: Readonly<Record<string, string>>,
  file: string,
  chain: readonly string[],
): SourceLine[] => {
  const source = files[file];
  if (source === undefined) {
    const from = chain.at(-1);
    throw new MailTemplateError(`Mail template ${file} does not exist${from ? ` (included from ${from})` : ''}.`);
  }
  if (chain.includes(file))
    throw new MailTemplateError(`Mail template ${file} includes itself: ${chain.join(' -> ')}.`);
  return source.split(/\r?\n/).flatMap((text, index) => {
    const include = INCLUDE_LINE.exec(text)?.[1];
    if (include !== undefined) return expandIncludes(files, include, [...chain, file]);
    if (text.includes('<mj-include')) {
      throw new MailTemplateError(`${file}:${index + 1}: put each <mj-include path="…" /> on a line of its own.`);
    }
    return [{ text, file, line: index + 1 }];
  });
};

const where = (lines: readonly SourceLine[], line: number): string => {
  const origin = lines[line - 1];
  return origin ? `${origin.file}:${origin.line}` : `${lines[0]?.file ?? 'template'}, line ${line}`;
};

/** The first source position of `needle`, for an error message. */
const findInSource = (lines: readonly SourceLine[], entry: string, needle: string): string => {
  const index = lines.findIndex((line) => line.text.includes(needle));
  return index < 0 ? entry : where(lines, index + 1);
};

const substituteSiteVars = (source: string, siteVars: Readonly<Record<string, string>>): string =>
  source.replace(PLACEHOLDER, (match, name: string) => {
    const value = siteVars[name];
    return value === undefined ? match : escapeHtml(value);
  });

/**
 * The text part, derived from the compiled HTML. Placeholders are swapped for space-free tokens during conversion,
 * so word wrapping cannot split one (a fallback may contain spaces) and both parts are personalised alike.
 */
const deriveText = (html: string): string => {
  const found: string[] = [];
  const masked = html.replace(PLACEHOLDER, (match) => {
    // The same placeholder gets the same token, so a link whose text is its own URL is still recognised as such.
    const index = found.indexOf(match);
    return `{{#${index < 0 ? found.push(match) - 1 : index}}}`;
  });
  const text = convert(masked, TEXT_OPTIONS)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return `${text.replace(/\{\{#(\d+)\}\}/g, (_, index: string) => found[Number(index)] ?? '')}\n`;
};

/**
 * Compiles one mail template for a site. `recipientVars` lists the placeholders personalisation will fill; any other
 * placeholder left after the site values are in is a typo, and fails here, naming its file and line.
 * @example
 * const compiled = await compileMailTemplate({
 *   files: { 'confirm.mjml': '…', 'partials/footer.mjml': '…' },
 *   entry: 'confirm.mjml',
 *   siteVars: siteMailVars(site),
 *   recipientVars: ['confirmUrl', 'recipientName'],
 * });
 */
export const compileMailTemplate = async (options: {
  /** Template sources by path relative to the templates folder, e.g. `partials/footer.mjml`. */
  files: Readonly<Record<string, string>>;
  entry: string;
  siteVars: Readonly<Record<string, string>>;
  recipientVars: readonly string[];
}): Promise<CompiledMail> => {
  const { files, entry, siteVars, recipientVars } = options;
  for (const [name, value] of Object.entries(siteVars)) {
    // A site value that looked like a placeholder would be filled in again per recipient.
    if (/\{\{|\}\}/.test(value)) throw new MailTemplateError(`Site mail value ${name} must not contain {{ or }}.`);
  }
  const lines = expandIncludes(files, entry, []);
  const source = substituteSiteVars(lines.map((line) => line.text).join('\n'), siteVars);

  let html: string;
  try {
    // fonts: {} keeps MJML from linking Google Fonts; comments are the authors' notes, not the reader's.
    ({ html } = await mjml2html(source, {
      validationLevel: 'strict',
      ignoreIncludes: true,
      keepComments: false,
      fonts: {},
    }));
  } catch (error) {
    const errors = (error as { errors?: { line: number; message: string }[] }).errors;
    const details = errors?.map((e) => `\n  ${where(lines, e.line)}: ${e.message}`).join('') ?? `: ${String(error)}`;
    throw new MailTemplateError(`Mail template ${entry} is not valid MJML${details}`, { cause: error });
  }

  const placeholders = new Set<string>();
  for (const match of html.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!recipientVars.includes(name)) {
      const known = [...Object.keys(siteVars), ...recipientVars].join(', ');
      throw new MailTemplateError(
        `${findInSource(lines, entry, match[0])}: unknown placeholder ${match[0]}; known ones are ${known}.`,
      );
    }
    placeholders.add(name);
  }
  if (STRAY_BRACES.test(html.replace(PLACEHOLDER, ''))) {
    const index = lines.findIndex((line) => STRAY_BRACES.test(line.text.replace(PLACEHOLDER, '')));
    const text = lines[index]?.text.trim() ?? '';
    throw new MailTemplateError(`${where(lines, index + 1)}: malformed placeholder in "${text}"; write {{name}}.`);
  }
  return { entry, html, text: deriveText(html), placeholders: [...placeholders].sort() };
};

/** Primary language subtags written right to left, for the mail's `dir`. */
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi']);

/**
 * The site-wide template values every mail can use. Needs the site's `mail` settings for the postal address.
 * @example siteMailVars(site).siteTitle // 'Field Notes'
 */
export const siteMailVars = (site: SiteConfig): Record<string, string> => {
  if (!site.mail) throw new ConfigError('The site config has no mail section; mail needs its postal address.');
  const language = site.language;
  return {
    siteTitle: site.title,
    siteUrl: site.baseUrl,
    siteDescription: site.description,
    postalAddress: site.mail.postalAddress,
    fromName: site.mail.fromName,
    language,
    dir: RTL_LANGUAGES.has(language.split('-')[0]?.toLowerCase() ?? '') ? 'rtl' : 'ltr',
  };
};
