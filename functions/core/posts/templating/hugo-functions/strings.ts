import { escapeHtml } from '../go/format.ts';
import { expandReplacement, goRegExp } from '../go/regexp.ts';
import { GoTemplateError, SafeHtml } from '../go/values.ts';
import type { FunctionContext, FunctionFamily } from './context.ts';
import { toInt, toText } from './convert.ts';
import { plainify } from './transform.ts';

/**
 * Hugo's strings namespace and its short names (substr, replace, replaceRE, findRE, trim, title, truncate, …),
 * counting in runes as Go does. Work proportional to the text is charged to the budget, and a result longer than a
 * post may hold is refused before it is built.
 */

const runes = (value: string): string[] => Array.from(value);

const CJK = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Go's case mapping is rune by rune: a rune with no single-rune counterpart (ß) stays as it is. */
const mapRunes = (value: string, map: (char: string) => string): string =>
  runes(value)
    .map((char) => {
      const mapped = map(char);
      return runes(mapped).length === 1 ? mapped : char;
    })
    .join('');

/** Words AP-style titles keep in lower case (except first and last), as Hugo's default title case does. */
const SMALL_WORDS = new Set('a an and as at but by en for if in nor of on or per the to v v. via vs vs.'.split(' '));

/** Hugo's `title` (AP style): each word capitalised, small words kept lower case inside the title. */
export const titleCase = (value: string): string => {
  const words = value.split(/(\s+)/);
  const indexes = words.map((word, index) => (/\S/.test(word) ? index : -1)).filter((index) => index !== -1);
  const first = indexes[0];
  const last = indexes.at(-1);
  return words
    .map((word, index) => {
      if (!/\S/.test(word)) return word;
      if (index !== first && index !== last && SMALL_WORDS.has(word.toLowerCase())) return word.toLowerCase();
      return word.replace(/(^|-)(\p{L})/gu, (_all, lead: string, letter: string) => lead + letter.toUpperCase());
    })
    .join('');
};

const HTML_SINGLETS = new Set(['br', 'col', 'link', 'base', 'img', 'param', 'area', 'hr', 'input']);
const TAG = /^<(\/)?([^ >]+?)(?:(\s*\/)| [^>]*?)?>/;

/**
 * Hugo's truncate: at most `length` runes of text, cut back to a word boundary, the ellipsis added; HTML (safe
 * input) keeps its tags and closes the ones left open; plain text comes out escaped.
 */
const truncate = (length: number, input: unknown, ellipsis = ' …'): SafeHtml => {
  const isHtml = input instanceof SafeHtml;
  const source = toText(input);
  const finish = (out: string) => new SafeHtml(isHtml ? out : escapeHtml(out));
  if (runes(source).length <= length) return finish(source);
  const tags: { name: string; at: number; open: boolean }[] = [];
  let lastWordEnd = 0;
  let lastNonSpace = 0;
  let count = 0;
  let skipTo = 0;
  for (let at = 0; at < source.length; ) {
    const char = String.fromCodePoint(source.codePointAt(at) ?? 0);
    const here = at;
    at += char.length;
    if (here < skipTo) continue;
    if (isHtml && char === '<') {
      const tag = TAG.exec(source.slice(here));
      if (tag) {
        skipTo = here + tag[0].length;
        const name = (tag[2] ?? '').split(/\s/)[0] ?? '';
        lastWordEnd = lastNonSpace;
        if (!HTML_SINGLETS.has(name) && tag[3] === undefined) tags.push({ name, at: here, open: tag[1] === undefined });
        continue;
      }
    }
    count++;
    if (/\s/u.test(char)) lastWordEnd = lastNonSpace;
    else if (/[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(char)) lastWordEnd = here;
    else lastNonSpace = at;
    if (count > length) {
      const end = lastWordEnd === 0 ? here : lastWordEnd;
      let out = source.slice(0, end);
      if (!isHtml) return new SafeHtml(escapeHtml(out) + ellipsis);
      out += ellipsis;
      let closed: string | undefined;
      for (let index = tags.length - 1; index >= 0; index--) {
        const tag = tags[index] as (typeof tags)[number];
        if (tag.at >= end || closed !== undefined) {
          if (closed !== undefined && closed === tag.name) closed = undefined;
          continue;
        }
        if (tag.open) out += `</${tag.name}>`;
        else closed = tag.name;
      }
      return new SafeHtml(out);
    }
  }
  return finish(source);
};

/** Hugo's substr: runes from `start` (negative counts from the end), `length` of them (negative leaves that many off). */
const substr = (value: unknown, ...numbers: unknown[]): string => {
  if (numbers.length === 0) throw new GoTemplateError('too few arguments');
  if (numbers.length > 2) throw new GoTemplateError('too many arguments');
  const chars = runes(toText(value));
  const count = chars.length;
  let start = toInt(numbers[0]);
  const length = numbers.length === 2 ? toInt(numbers[1]) : count;
  if (count === 0) return '';
  if (start < 0) start += count;
  if (start < 0) start = 0;
  if (start > count - 1) return '';
  let end = count;
  if (length === 0) return '';
  if (length < 0) end += length;
  else end = start + length;
  if (start >= end || end < 0) return '';
  return chars.slice(start, Math.min(end, count)).join('');
};

const sliceString = (value: unknown, ...bounds: unknown[]): string => {
  const chars = runes(toText(value));
  const start = bounds.length > 0 ? toInt(bounds[0]) : 0;
  const end = bounds.length > 1 ? toInt(bounds[1]) : chars.length;
  if (bounds.length > 2) throw new GoTemplateError('too many arguments');
  if (start < 0 || end > chars.length || start > end) throw new GoTemplateError('slice bounds out of range');
  return chars.slice(start, end).join('');
};

/** Go's strings.Trim family: a cutset of runes. */
const trimRunes = (value: string, cutset: string, left: boolean, right: boolean): string => {
  const cut = new Set(runes(cutset));
  const chars = runes(value);
  let start = 0;
  let end = chars.length;
  while (left && start < end && cut.has(chars[start] as string)) start++;
  while (right && end > start && cut.has(chars[end - 1] as string)) end--;
  return chars.slice(start, end).join('');
};

/** Go's strings.Count: non-overlapping occurrences; the empty string occurs once per rune, plus one. */
const countOf = (part: string, value: string): number => {
  if (part === '') return runes(value).length + 1;
  let count = 0;
  for (let at = value.indexOf(part); at !== -1; at = value.indexOf(part, at + part.length)) count++;
  return count;
};

/** Go's strings.Replace with a limit; an empty `from` inserts `to` around every rune. */
const replaceLimited = (context: FunctionContext, value: string, from: string, to: string, limit: number): string => {
  const max = limit < 0 ? Number.POSITIVE_INFINITY : limit;
  if (from === '') {
    const chars = runes(value);
    const slots = Math.min(chars.length + 1, max);
    context.budget.size(value.length + slots * to.length, 'the text replace made');
    let out = '';
    chars.forEach((char, index) => {
      out += (index < slots ? to : '') + char;
    });
    return out + (chars.length < slots ? to : '');
  }
  const occurrences = Math.min(countOf(from, value), max);
  context.budget.size(value.length + occurrences * Math.max(0, to.length - from.length), 'the text replace made');
  let out = '';
  let at = 0;
  for (let done = 0; done < occurrences; done++) {
    const found = value.indexOf(from, at);
    out += value.slice(at, found) + to;
    at = found + from.length;
  }
  return out + value.slice(at);
};

const limitOf = (value: unknown): number => (value === undefined ? -1 : toInt(value));

export const stringsFunctions: FunctionFamily = (context) => {
  const charge = (value: string) => context.budget.step(Math.ceil(value.length / 64));
  const findRE = (pattern: unknown, input: unknown, limit: unknown = undefined): string[] => {
    const source = toText(input);
    charge(source);
    const max = limitOf(limit);
    if (max === 0) return [];
    const found: string[] = [];
    for (const match of source.matchAll(goRegExp(toText(pattern)))) {
      if (max > 0 && found.length >= max) break;
      found.push(match[0]);
      context.budget.step();
    }
    return found;
  };
  const findRESubmatch = (pattern: unknown, input: unknown, limit: unknown = undefined): string[][] => {
    const source = toText(input);
    charge(source);
    const max = limitOf(limit);
    const found: string[][] = [];
    if (max === 0) return found;
    for (const match of source.matchAll(goRegExp(toText(pattern)))) {
      if (max > 0 && found.length >= max) break;
      found.push(Array.from(match, (group) => group ?? ''));
      context.budget.step();
    }
    return found;
  };
  const replaceRE = (pattern: unknown, replacement: unknown, input: unknown, limit: unknown = undefined): string => {
    const source = toText(input);
    charge(source);
    const expand = expandReplacement(toText(replacement));
    const max = limitOf(limit);
    let out = '';
    let at = 0;
    let done = 0;
    for (const match of source.matchAll(goRegExp(toText(pattern)))) {
      if (max >= 0 && done >= max) break;
      out += source.slice(at, match.index) + expand(match as RegExpExecArray);
      at = match.index + match[0].length;
      done++;
      context.budget.size(out.length, 'the text replaceRE made');
    }
    return out + source.slice(at);
  };
  const repeat = (count: unknown, input: unknown): string => {
    const times = toInt(count);
    const source = toText(input);
    if (times < 0) throw new GoTemplateError('strings: negative Repeat count');
    context.budget.size(times * source.length, 'the text strings.Repeat would make');
    return source.repeat(times);
  };
  const keepSafe = (input: unknown, out: string) => (input instanceof SafeHtml ? new SafeHtml(out) : out);
  const chomp = (input: unknown) => keepSafe(input, toText(input).replace(/[\r\n]+$/, ''));
  const lower = (input: unknown) => mapRunes(toText(input), (char) => char.toLowerCase());
  const upper = (input: unknown) => mapRunes(toText(input), (char) => char.toUpperCase());
  const title = (input: unknown) => titleCase(toText(input));
  const replace = (input: unknown, from: unknown, to: unknown, limit: unknown = undefined) =>
    replaceLimited(context, toText(input), toText(from), toText(to), limitOf(limit));
  const split = (input: unknown, separator: unknown) => {
    const source = toText(input);
    charge(source);
    const by = toText(separator);
    return by === '' ? runes(source) : source.split(by);
  };
  const trim = (input: unknown, cutset: unknown) => trimRunes(toText(input), toText(cutset), true, true);
  // Hugo counts each character of a word as a word when the text has CJK in it (a word of ASCII still counts once).
  const countWords = (input: unknown) => {
    const source = plainify(toText(input));
    const words = source.split(/\s+/u).filter((word) => word !== '');
    if (!CJK.test(source)) return words.length;
    return words.reduce(
      (count, word) => count + (runes(word).length === Buffer.byteLength(word) ? 1 : runes(word).length),
      0,
    );
  };
  const countRunes = (input: unknown) => runes(toText(input)).filter((char) => !/\s/u.test(char)).length;
  const truncateFn = (size: unknown, ...rest: unknown[]) => {
    if (rest.length === 0) throw new GoTemplateError('truncate requires a length and a string');
    if (rest.length > 2) throw new GoTemplateError('too many arguments passed to truncate');
    return rest.length === 2 ? truncate(toInt(size), rest[1], toText(rest[0])) : truncate(toInt(size), rest[0]);
  };
  const hasPrefix = (input: unknown, prefix: unknown) => toText(input).startsWith(toText(prefix));
  return {
    chomp,
    countrunes: countRunes,
    countwords: countWords,
    findRE,
    findRESubmatch,
    hasPrefix,
    lower,
    upper,
    title,
    replace,
    replaceRE,
    slicestr: sliceString,
    split,
    substr,
    trim,
    truncate: truncateFn,
    'strings.Chomp': chomp,
    'strings.Contains': (input: unknown, part: unknown) => toText(input).includes(toText(part)),
    'strings.ContainsAny': (input: unknown, chars: unknown) => {
      const set = new Set(runes(toText(chars)));
      return runes(toText(input)).some((char) => set.has(char));
    },
    'strings.Count': (part: unknown, input: unknown) => countOf(toText(part), toText(input)),
    'strings.CountRunes': countRunes,
    'strings.CountWords': countWords,
    'strings.FindRE': findRE,
    'strings.FindRESubmatch': findRESubmatch,
    'strings.FirstUpper': (input: unknown) => {
      const [first = '', ...rest] = runes(toText(input));
      return first.toUpperCase() + rest.join('');
    },
    'strings.HasPrefix': hasPrefix,
    'strings.HasSuffix': (input: unknown, suffix: unknown) => toText(input).endsWith(toText(suffix)),
    'strings.Repeat': repeat,
    'strings.Replace': replace,
    'strings.ReplaceRE': replaceRE,
    'strings.RuneCount': (input: unknown) => runes(toText(input)).length,
    'strings.SliceString': sliceString,
    'strings.Split': split,
    'strings.Substr': substr,
    'strings.Title': title,
    'strings.ToLower': lower,
    'strings.ToUpper': upper,
    'strings.Trim': trim,
    'strings.TrimLeft': (cutset: unknown, input: unknown) => trimRunes(toText(input), toText(cutset), true, false),
    'strings.TrimRight': (cutset: unknown, input: unknown) => trimRunes(toText(input), toText(cutset), false, true),
    'strings.TrimPrefix': (prefix: unknown, input: unknown) => {
      const [head, text] = [toText(prefix), toText(input)];
      return head !== '' && text.startsWith(head) ? text.slice(head.length) : text;
    },
    'strings.TrimSuffix': (suffix: unknown, input: unknown) => {
      const [tail, text] = [toText(suffix), toText(input)];
      return tail !== '' && text.endsWith(tail) ? text.slice(0, -tail.length) : text;
    },
    // Later Hugo versions (0.113+); harmless here and common in newer themes.
    'strings.TrimSpace': (input: unknown) => toText(input).trim(),
    'strings.Truncate': truncateFn,
  };
};
