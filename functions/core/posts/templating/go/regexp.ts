import { GoTemplateError } from './values.ts';

/**
 * Go's regular expressions (RE2 syntax) as JavaScript ones: `(?i)` and its friends at the start, `(?P<name>…)`,
 * `\A`, `\z`, `\Q…\E`, `[[:alpha:]]`, `\pL`. What RE2 refuses (backreferences, lookaround) is refused here too,
 * with its message; and so is a repeated group that repeats inside itself (`(a+)+`), which RE2 runs in linear time
 * but JavaScript's backtracking engine can take exponential time over.
 */

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Punctuation JavaScript's Unicode mode lets a backslash escape; Go lets any punctuation be escaped. */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

const cache = new Map<string, RegExp>();

/**
 * A JavaScript RegExp (global, Unicode) for a Go pattern.
 * @example goRegExp('(?i)h(?P<rest>\\w+)').exec('Hello')?.groups?.rest // 'ello'
 */
export const goRegExp = (pattern: string): RegExp => {
  const cached = cache.get(pattern);
  if (cached) {
    cached.lastIndex = 0;
    return cached;
  }
  const regexp = translate(pattern);
  if (cache.size > 500) cache.clear();
  cache.set(pattern, regexp);
  return regexp;
};

const fail = (pattern: string, why: string): never => {
  throw new GoTemplateError(`error parsing regexp: ${why}: \`${pattern}\``);
};

const translate = (pattern: string): RegExp => {
  let flags = 'gu';
  let source = pattern;
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading?.[1]) {
    if (leading[1].includes('U')) fail(pattern, 'the ungreedy flag (?U) is not supported here');
    for (const flag of leading[1]) if (!flags.includes(flag)) flags += flag;
    source = source.slice(leading[0].length);
  }
  let out = '';
  let inClass = false;
  type Group = { unbounded: boolean };
  const groups: Group[] = [{ unbounded: false }];
  let lastGroup: Group | undefined;
  for (let at = 0; at < source.length; at++) {
    const char = source[at] as string;
    const justClosed = lastGroup;
    lastGroup = undefined;
    if (char === '\\') {
      const next = source[at + 1];
      if (next === undefined) fail(pattern, 'trailing backslash at end of expression');
      at++;
      if (next === 'Q') {
        const end = source.indexOf('\\E', at + 1);
        const literal = source.slice(at + 1, end === -1 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        at = end === -1 ? source.length : end + 1;
        continue;
      }
      if (next === 'A' && !inClass) out += '(?<![\\s\\S])';
      else if (next === 'z' && !inClass) out += '(?![\\s\\S])';
      else if (/[1-9]/.test(next as string)) fail(pattern, `invalid escape sequence: \`\\${next}\``);
      else if (next === 'p' || next === 'P') {
        if (source[at + 1] === '{') {
          const end = source.indexOf('}', at);
          out += `\\${next}${source.slice(at + 1, end + 1)}`;
          at = end;
        } else {
          out += `\\${next}{${source[at + 1] ?? ''}}`;
          at++;
        }
      } else if (/[a-zA-Z0-9]/.test(next as string)) out += `\\${next}`;
      else if (SYNTAX.has(next as string) || (inClass && next === '-')) out += `\\${next}`;
      else out += `\\u{${(next as string).codePointAt(0)?.toString(16)}}`;
      continue;
    }
    if (inClass) {
      if (char === '[' && source[at + 1] === ':') {
        const end = source.indexOf(':]', at);
        const name = source.slice(at + 2, end);
        const negated = name.startsWith('^');
        const range = POSIX[negated ? name.slice(1) : name];
        if (end === -1 || range === undefined)
          fail(pattern, `invalid character class range: \`${source.slice(at, end + 2)}\``);
        if (negated) fail(pattern, 'a negated POSIX class inside brackets is not supported here');
        out += range;
        at = end + 1;
        continue;
      }
      if (char === '[') {
        out += '\\[';
        continue;
      }
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (source[at + 1] === '^') {
        out += '^';
        at++;
      }
      if (source[at + 1] === ']') {
        out += '\\]';
        at++;
      }
      continue;
    }
    if (char === '(') {
      if (source.startsWith('(?P<', at)) {
        out += '(?<';
        at += 3;
      } else if (source.startsWith('(?<', at) && !/^\(\?<[=!]/.test(source.slice(at))) {
        out += '(?<';
        at += 2;
      } else if (source.startsWith('(?:', at)) {
        out += '(?:';
        at += 2;
      } else if (source[at + 1] === '?') {
        fail(pattern, `invalid or unsupported Perl syntax: \`${source.slice(at, at + 3)}\``);
      } else {
        out += char;
      }
      groups.push({ unbounded: false });
      continue;
    }
    if (char === ')') {
      const group = groups.pop();
      if (!group || groups.length === 0) fail(pattern, 'unexpected )');
      out += char;
      lastGroup = group;
      continue;
    }
    const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(source.slice(at))?.[0];
    if (quantifier) {
      const unbounded = quantifier === '*' || quantifier === '+' || /,\}$/.test(quantifier);
      const repeats = unbounded || (quantifier.startsWith('{') && !/^\{(\d+)(?:,\1)?\}$/.test(quantifier));
      if (justClosed?.unbounded && (repeats || /^\{\d+/.test(quantifier))) {
        fail(pattern, 'a repeated group that repeats inside itself (such as (a+)+) could run for ages; rewrite it');
      }
      const current = groups.at(-1) as Group;
      if (unbounded || justClosed?.unbounded) current.unbounded = true;
      out += quantifier;
      at += quantifier.length - 1;
      continue;
    }
    if (justClosed?.unbounded) (groups.at(-1) as Group).unbounded = true;
    out += char;
  }
  if (groups.length !== 1) fail(pattern, 'missing closing )');
  if (inClass) fail(pattern, 'missing closing ]');
  try {
    return new RegExp(out, flags);
  } catch (error) {
    return fail(
      pattern,
      error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : 'invalid',
    );
  }
};

/**
 * Go's Regexp.Expand template for a replacement (`$1`, `${1}`, `$name`, `${name}`, `$$`) as a function of a match.
 * In Go `$1x` names the group "1x" (empty), so `${1}x` is how a digit is followed by text.
 */
export const expandReplacement = (template: string): ((match: RegExpExecArray) => string) => {
  const parts: ({ text: string } | { group: string })[] = [];
  const token = /\$(?:\$|\{(\w+)\}|(\w+))/g;
  let at = 0;
  for (let found = token.exec(template); found; found = token.exec(template)) {
    parts.push({ text: template.slice(at, found.index) });
    if (found[0] === '$$') parts.push({ text: '$' });
    else parts.push({ group: (found[1] ?? found[2]) as string });
    at = token.lastIndex;
  }
  parts.push({ text: template.slice(at) });
  return (match) =>
    parts
      .map((part) => {
        if ('text' in part) return part.text;
        if (/^\d+$/.test(part.group)) return match[Number(part.group)] ?? '';
        return match.groups?.[part.group] ?? '';
      })
      .join('');
};
