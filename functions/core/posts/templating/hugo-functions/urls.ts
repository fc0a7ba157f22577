import { GoStruct, GoTemplateError } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toText } from './convert.ts';

/**
 * Hugo's urls namespace against the site's address: absURL, relURL (and their Lang forms: one language here),
 * urlize, anchorize, Parse (Go's net/url), JoinPath, ref and relref. As in Hugo, absURL and relURL keep a leading
 * slash at the host's root and put other paths under the site's own path.
 */

const HEX = '0123456789ABCDEF';

type Mode = 'path' | 'fragment' | 'query';

/** Go's url escaping for a part of a URL (shouldEscape), byte by byte. */
const escapeUrlPart = (value: string, mode: Mode): string => {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    const keep =
      /[A-Za-z0-9\-_.~]/.test(char) ||
      ('$&+,/:;=@'.includes(char) && mode !== 'query') ||
      (char === '?' && mode === 'fragment') ||
      (mode === 'fragment' && '!()*'.includes(char));
    out += keep ? char : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
};

const unescapeUrl = (value: string, plusIsSpace: boolean): string => {
  const text = plusIsSpace ? value.replace(/\+/g, ' ') : value;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new GoTemplateError(`invalid URL escape in "${value}"`);
  }
};

interface ParsedUrl {
  scheme: string;
  opaque: string;
  user: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

/** Go's url.Parse, for the parts templates read. */
export const parseGoUrl = (raw: string): ParsedUrl => {
  const [beforeFragment = '', ...fragmentParts] = raw.split('#');
  const fragment = fragmentParts.length > 0 ? unescapeUrl(fragmentParts.join('#'), false) : '';
  let rest = beforeFragment;
  const url: ParsedUrl = { scheme: '', opaque: '', user: '', host: '', path: '', rawPath: '', rawQuery: '', fragment };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme?.[1]) {
    url.scheme = scheme[1].toLowerCase();
    rest = rest.slice(scheme[0].length);
  }
  const query = rest.indexOf('?');
  if (query !== -1) {
    url.rawQuery = rest.slice(query + 1);
    rest = rest.slice(0, query);
  }
  if (url.scheme && !rest.startsWith('/')) {
    url.opaque = rest;
    return url;
  }
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = rest.slice(2, end === -1 ? undefined : end);
    rest = end === -1 ? '' : rest.slice(end);
    const at = authority.lastIndexOf('@');
    if (at !== -1) {
      url.user = unescapeUrl(authority.slice(0, at), false);
      url.host = authority.slice(at + 1);
    } else {
      url.host = authority;
    }
  }
  url.path = unescapeUrl(rest, false);
  // Go keeps the path as written only when it differs from the default escaping and is itself validly escaped.
  if (escapeUrlPart(url.path, 'path') !== rest && /^(?:[A-Za-z0-9\-_.~$&+,/:;=@!'()*]|%[0-9A-Fa-f]{2})*$/.test(rest)) {
    url.rawPath = rest;
  }
  return url;
};

const escapedPath = (url: ParsedUrl): string => url.rawPath || escapeUrlPart(url.path, 'path');

/** Go's URL.String. */
export const formatGoUrl = (url: ParsedUrl): string => {
  let out = url.scheme ? `${url.scheme}:` : '';
  if (url.opaque) out += url.opaque;
  else {
    if (url.scheme || url.host || url.user) {
      out += '//';
      if (url.user) out += `${url.user}@`;
      out += url.host;
    }
    const path = escapedPath(url);
    if (path !== '' && !path.startsWith('/') && url.host) out += '/';
    out += path;
  }
  if (url.rawQuery) out += `?${url.rawQuery}`;
  if (url.fragment) out += `#${escapeUrlPart(url.fragment, 'fragment')}`;
  return out;
};

/** url.Values: a map of lists, with Get (the first value) and Has. */
const queryValues = (rawQuery: string): Record<string, string[]> => {
  const values: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const [key = '', value = ''] = pair.split(/=(.*)/s);
    const name = unescapeUrl(key, true);
    const list = values[name] ?? [];
    list.push(unescapeUrl(value, true));
    values[name] = list;
  }
  const methods = {
    Get: (key: unknown) => values[toText(key)]?.[0] ?? '',
    Has: (key: unknown) => Object.hasOwn(values, toText(key)),
  };
  for (const [name, method] of Object.entries(methods)) {
    Object.defineProperty(values, name, { value: method, enumerable: false });
  }
  return values;
};

const urlObject = (raw: string): GoStruct => {
  const url = parseGoUrl(raw);
  const [hostname = '', port = ''] = url.host.startsWith('[')
    ? [url.host.slice(1, url.host.indexOf(']')), url.host.slice(url.host.indexOf(']') + 2)]
    : url.host.split(':');
  return new GoStruct(
    '*url.URL',
    {
      Scheme: url.scheme,
      Opaque: url.opaque,
      User: url.user,
      Host: url.host,
      Path: url.path,
      RawPath: url.rawPath,
      RawQuery: url.rawQuery,
      Fragment: url.fragment,
      Hostname: () => hostname,
      Port: () => port,
      Query: () => queryValues(url.rawQuery),
      IsAbs: () => url.scheme !== '',
      EscapedPath: () => escapedPath(url),
      RequestURI: () => (url.opaque || escapedPath(url) || '/') + (url.rawQuery ? `?${url.rawQuery}` : ''),
      String: () => formatGoUrl(url),
    },
    () => formatGoUrl(url),
  );
};

/** Hugo's anchorize (goldmark's github style): letters, digits and _ lower-cased, spaces and - as -, the rest gone. */
export const anchorize = (value: string): string => {
  let out = '';
  for (const char of value) {
    if (char === ' ' || char === '-') out += '-';
    else if (char === '_' || /[\p{L}\p{N}]/u.test(char)) out += char.toLowerCase();
  }
  return out;
};

/** Hugo's urlize: lower case, unwanted characters dropped, spaces as one -, then escaped as a URL. */
export const urlize = (value: string): string => {
  const source = Array.from(value.trim());
  let out = '';
  let hyphenPending = false;
  let wasHyphen = false;
  source.forEach((char, index) => {
    const allowed =
      './\\_#+~-@'.includes(char) ||
      /[\p{L}\p{N}\p{M}]/u.test(char) ||
      (char === '%' && /^[0-9a-fA-F]{2}$/.test(`${source[index + 1] ?? ''}${source[index + 2] ?? ''}`));
    if (allowed) {
      wasHyphen = char === '-';
      if (hyphenPending) {
        if (!wasHyphen) out += '-';
        hyphenPending = false;
      }
      out += char;
    } else if (out.length > 0 && !wasHyphen && /\s/u.test(char)) {
      hyphenPending = true;
    }
  });
  return formatGoUrl(parseGoUrl(out.toLowerCase()));
};

export const urlsFunctions: FunctionFamily = (context) => {
  const base = new URL(context.site.baseUrl);
  const root = `${base.protocol}//${base.host}`;
  const absolute = (input: unknown) => {
    const value = toText(input);
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || value.startsWith('//')) return value;
    if (value.startsWith('/')) return root + value;
    return new URL(value, base).href;
  };
  const relative = (input: unknown) => {
    const value = toText(input);
    const baseHref = base.href;
    if ((value.startsWith('http') && !value.startsWith(baseHref)) || value.startsWith('//')) return value;
    if (value.startsWith(baseHref)) return base.pathname + value.slice(baseHref.length);
    if (value.startsWith('/')) return value;
    return base.pathname + value;
  };
  const reference = (name: string) => (_page: unknown, target: unknown) => {
    const path = isReferenceMap(target) ? toText(target.path) : toText(target);
    const url = context.resolveReference(path);
    if (url === undefined) throw new GoTemplateError(`${name} "${path}": no post of the site has that name`);
    return url;
  };
  const parse = (input: unknown) => urlObject(toText(input));
  const joinPath = (...parts: unknown[]) => {
    const elements = parts.flatMap((part) => (Array.isArray(part) ? part : [part])).map(toText);
    if (elements.length === 0) return '';
    const [first = '', ...rest] = elements;
    const url = parseGoUrl(first);
    const joined = [url.path, ...rest].join('/').replace(/\/+/g, '/');
    const trailing = joined.endsWith('/') || (rest.at(-1) ?? first).endsWith('/');
    const segments: string[] = [];
    for (const segment of joined.split('/')) {
      if (segment === '..') segments.pop();
      else if (segment !== '.' && segment !== '') segments.push(segment);
    }
    url.path = (url.path.startsWith('/') || url.host ? '/' : '') + segments.join('/') + (trailing ? '/' : '');
    url.rawPath = '';
    return formatGoUrl(url);
  };
  return {
    absURL: absolute,
    absLangURL: absolute,
    relURL: relative,
    relLangURL: relative,
    urlize: (input: unknown) => urlize(toText(input)),
    anchorize: (input: unknown) => anchorize(toText(input)),
    ref: reference('ref'),
    relref: reference('relref'),
    'urls.AbsURL': absolute,
    'urls.AbsLangURL': absolute,
    'urls.RelURL': relative,
    'urls.RelLangURL': relative,
    'urls.URLize': (input: unknown) => urlize(toText(input)),
    'urls.Anchorize': (input: unknown) => anchorize(toText(input)),
    'urls.Parse': parse,
    'urls.JoinPath': joinPath,
    'urls.Ref': reference('ref'),
    'urls.RelRef': reference('relref'),
  };
};

const isReferenceMap = (value: unknown): value is { path: unknown } =>
  typeof value === 'object' && value !== null && 'path' in value;
