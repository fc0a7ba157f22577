import { createHash } from 'node:crypto';
import MarkdownIt from 'markdown-it';
import { parse as parseToml } from 'smol-toml';
import { splitFrontMatter } from '../../front-matter.ts';
import { escapeHtml, formatFloat } from '../go/format.ts';
import { formatTime, GoTime } from '../go/time.ts';
import {
  GoNamedInt,
  GoNil,
  GoObject,
  GoTemplateError,
  isFloat,
  isMap,
  isNumber,
  mapEntries,
  numberOf,
  SafeHtml,
} from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toText } from './convert.ts';
import { EMOJI } from './emoji.ts';

/**
 * Hugo's transform, safe, encoding and crypto namespaces and Go's own html, js and urlquery: Markdown to HTML
 * (markdownify, with the post's renderer), HTML to text (plainify), escaping both ways, emoji codes, JSON as Go's
 * encoding/json writes it (jsonify), data from text (unmarshal: JSON, TOML, YAML), base64 and hashes.
 */

const { unescapeAll } = new MarkdownIt().utils;

/** HTML entities decoded (html.UnescapeString); markdown-it's decoder, kept off backslashes. */
export const unescapeHtml = (value: string): string =>
  unescapeAll(value.replace(/\\/g, '\uE000')).replace(/\uE000/g, '\\');

/** Go's html.EscapeString. */
const escapeString = (value: string): string =>
  value.replace(
    /[&'<>"]/g,
    (char) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;' })[char] ?? char,
  );

/** Hugo's plainify: paragraph ends and line breaks become new lines, every tag goes. */
export const plainify = (value: string): string => {
  if (!/[<>]/.test(value)) return value;
  return value
    .replace(/<\/p>/gi, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/[ \t]*\n\s*/g, '\n');
};

const jsonString = (value: string, escapeHtmlChars: boolean): string => {
  let out = JSON.stringify(value)
    .replace(/\\b/g, '\\u0008')
    .replace(/\\f/g, '\\u000c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  if (escapeHtmlChars) out = out.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return out;
};

/** A float as encoding/json writes it: plain digits from 1e-6 up to 1e21, the exponent form outside. */
const jsonFloat = (value: number): string => {
  if (!Number.isFinite(value)) throw new GoTemplateError(`json: unsupported value: ${value}`);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-6 || magnitude >= 1e21)) {
    return formatFloat(value, 'e', -1).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(value, 'f', -1);
};

/** Go's json.Marshal (map keys sorted), then json.Indent when asked. */
export const toJson = (
  value: unknown,
  options: { prefix?: string; indent?: string; noHtmlEscape?: boolean },
): string => {
  const escapeMarkup = !options.noHtmlEscape;
  const encode = (item: unknown, depth: number): string => {
    if (depth > 100) throw new GoTemplateError('json: value nested too deep');
    if (item === undefined || item === null || item instanceof GoNil) return 'null';
    if (typeof item === 'boolean') return item ? 'true' : 'false';
    if (isNumber(item)) return isFloat(item) ? jsonFloat(numberOf(item)) : String(numberOf(item));
    if (item instanceof GoNamedInt) return String(item.value);
    if (typeof item === 'string') return jsonString(item, escapeMarkup);
    if (item instanceof SafeHtml) return jsonString(item.html, escapeMarkup);
    if (item instanceof Date || item instanceof GoTime) {
      const time = item instanceof GoTime ? item : new GoTime(item, 'UTC');
      return jsonString(formatTime(time.instant, time.zone, '2006-01-02T15:04:05.999999999Z07:00'), escapeMarkup);
    }
    if (Array.isArray(item)) return `[${item.map((entry) => encode(entry, depth + 1)).join(',')}]`;
    if (isMap(item)) {
      return `{${mapEntries(item)
        .map(([key, entry]) => `${jsonString(key, escapeMarkup)}:${encode(entry, depth + 1)}`)
        .join(',')}}`;
    }
    if (item instanceof GoObject) return '{}';
    return 'null';
  };
  const compact = encode(value, 0);
  if (options.indent === undefined && options.prefix === undefined) return compact;
  return indentJson(compact, options.prefix ?? '', options.indent ?? '');
};

/** Go's json.Indent over compact JSON. */
const indentJson = (compact: string, prefix: string, indent: string): string => {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => `\n${prefix}${indent.repeat(depth)}`;
  for (let at = 0; at < compact.length; at++) {
    const char = compact[at] as string;
    if (inString) {
      out += char;
      if (char === '\\') out += compact[++at] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      if (compact[at + 1] === close) {
        out += char + close;
        at++;
        continue;
      }
      depth++;
      out += char + newline();
    } else if (char === '}' || char === ']') {
      depth--;
      out += newline() + char;
    } else if (char === ',') out += char + newline();
    else if (char === ':') out += ': ';
    else out += char;
  }
  return out;
};

/** Data from text, its format guessed as Hugo guesses it: JSON, TOML, else YAML. */
const unmarshal = (source: string): unknown => {
  const trimmed = source.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new GoTemplateError(`failed to unmarshal JSON: ${error instanceof Error ? error.message : ''}`);
    }
  }
  if (/^\s*[\w."-]+\s*=/m.test(trimmed) || /^\s*\[[\w.]+\]\s*$/m.test(trimmed)) {
    try {
      return parseToml(trimmed);
    } catch (error) {
      throw new GoTemplateError(
        `failed to unmarshal TOML: ${error instanceof Error ? error.message.split('\n')[0] : ''}`,
      );
    }
  }
  const read = splitFrontMatter(`---\n${source.replace(/\n?$/, '\n')}---\n`, 'unmarshal');
  if (read.problems.some((problem) => problem.severity === 'error')) {
    throw new GoTemplateError(`failed to unmarshal YAML: ${read.problems[0]?.message ?? ''}`);
  }
  return read.data;
};

const hash = (algorithm: string) => (value: unknown) => createHash(algorithm).update(toText(value)).digest('hex');

export const transformFunctions: FunctionFamily = (context) => {
  const charge = (value: string) => context.budget.size(value.length);
  const markdownify = (value: unknown) => {
    const source = toText(value);
    charge(source);
    return new SafeHtml(context.markdown(source, false));
  };
  const plain = (value: unknown) => plainify(toText(value));
  const htmlEscape = (value: unknown) => escapeString(toText(value));
  const htmlUnescape = (value: unknown) => unescapeHtml(toText(value));
  const emojify = (value: unknown) => {
    const source = toText(value);
    charge(source);
    return new SafeHtml(source.replace(/:([a-z0-9_+-]+):/g, (code, name: string) => EMOJI[name] ?? code));
  };
  const jsonify = (...args: unknown[]) => {
    if (args.length === 0 || args.length > 2) throw new GoTemplateError('jsonify needs one or two arguments');
    const options = args.length === 2 && isMap(args[0]) ? Object.fromEntries(mapEntries(args[0])) : {};
    const json = toJson(args.at(-1), {
      ...(options.prefix === undefined ? {} : { prefix: toText(options.prefix) }),
      ...(options.indent === undefined ? {} : { indent: toText(options.indent) }),
      noHtmlEscape: options.noHTMLEscape === true,
    });
    charge(json);
    return new SafeHtml(json);
  };
  const highlight = (code: unknown, language: unknown) => {
    const lang = toText(language).replace(/[^\w+#.-]/g, '');
    const attribute = lang ? ` class="language-${lang}" data-lang="${lang}"` : '';
    return new SafeHtml(`<pre><code${attribute}>${escapeString(toText(code))}</code></pre>`);
  };
  const unmarshalFn = (...args: unknown[]) => {
    const input = args.at(-1);
    if (input instanceof GoObject) {
      throw new GoTemplateError('unmarshal of a resource needs its content, which is not available here');
    }
    const source = toText(input);
    charge(source);
    return unmarshal(source);
  };
  const base64Encode = (value: unknown) => Buffer.from(toText(value), 'utf8').toString('base64');
  const base64Decode = (value: unknown) => {
    const source = toText(value);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(source)) throw new GoTemplateError('illegal base64 data');
    return Buffer.from(source, 'base64').toString('utf8');
  };
  const fnv32a = (value: unknown) => {
    let result = 2166136261;
    for (const byte of Buffer.from(toText(value), 'utf8')) result = Math.imul(result ^ byte, 16777619) >>> 0;
    return result;
  };
  const safe = (value: unknown) => new SafeHtml(toText(value));
  return {
    markdownify,
    plainify: plain,
    htmlEscape,
    htmlUnescape,
    emojify,
    jsonify,
    highlight,
    unmarshal: unmarshalFn,
    base64Encode,
    base64Decode,
    md5: hash('md5'),
    sha1: hash('sha1'),
    sha256: hash('sha256'),
    safeHTML: safe,
    safeHTMLAttr: safe,
    // CSS, JS and URLs are text in the HTML text this engine writes: escaped like any other text.
    safeCSS: (value: unknown) => toText(value),
    safeJS: (value: unknown) => toText(value),
    safeJSStr: (value: unknown) => toText(value),
    safeURL: (value: unknown) => toText(value),
    html: (value: unknown) => new SafeHtml(escapeHtml(toText(value))),
    js: (value: unknown) => jsonString(toText(value), true).slice(1, -1).replace(/'/g, '\\u0027'),
    urlquery: (...values: unknown[]) =>
      encodeURIComponent(values.map((item) => toText(item)).join(''))
        .replace(/%20/g, '+')
        .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`),
    'transform.Markdownify': markdownify,
    'transform.Plainify': plain,
    'transform.HTMLEscape': htmlEscape,
    'transform.HTMLUnescape': htmlUnescape,
    'transform.Emojify': emojify,
    'transform.Highlight': highlight,
    'transform.Unmarshal': unmarshalFn,
    'encoding.Jsonify': jsonify,
    'encoding.Base64Encode': base64Encode,
    'encoding.Base64Decode': base64Decode,
    'crypto.MD5': hash('md5'),
    'crypto.SHA1': hash('sha1'),
    'crypto.SHA256': hash('sha256'),
    'crypto.FNV32a': fnv32a,
    'safe.HTML': safe,
    'safe.HTMLAttr': safe,
    'safe.CSS': (value: unknown) => toText(value),
    'safe.JS': (value: unknown) => toText(value),
    'safe.JSStr': (value: unknown) => toText(value),
    'safe.URL': (value: unknown) => toText(value),
  };
};
