import {
  GoNamedInt,
  GoNil,
  type GoNumber,
  GoObject,
  isFloat,
  isMap,
  isNumber,
  mapEntries,
  numberOf,
  SafeHtml,
} from './values.ts';

/**
 * Go's fmt for template values: %v as fmt.Sprint prints it (`[a b]` for a slice, `map[k:v]` for a map, `<nil>`),
 * Printf with its verbs, flags, widths and precisions, and its complaints (`%!d(string=x)`, `%!d(MISSING)`) where a
 * verb does not fit, all as Go 1.20 writes them (checked against Hugo 0.111).
 */

/** The type name fmt's %T and its complaints print. */
export const goTypeName = (value: unknown): string => {
  if (value === undefined || value === null || value instanceof GoNil) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (isNumber(value)) return isFloat(value) ? 'float64' : 'int';
  if (value instanceof SafeHtml) return 'template.HTML';
  if (value instanceof GoNamedInt) return value.typeName;
  if (value instanceof Date) return 'time.Time';
  if (value instanceof GoObject) return value.typeName;
  if (Array.isArray(value)) return '[]interface {}';
  if (isMap(value)) return 'map[string]interface {}';
  if (typeof value === 'function') return 'func';
  return 'interface {}';
};

/** An int as Go prints it; beyond 2^53 JavaScript has lost the digits already, but never switches to 1e+21. */
const formatInt = (value: number): string =>
  Number.isSafeInteger(value) ? String(value) : Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : 'NaN';

/** The shortest digits that read back as `value`, and its decimal exponent: 1234.5 -> ['12345', 3]. */
const shortestDigits = (value: number): [string, number] => {
  const [mantissa = '0', exponent = '0'] = Math.abs(value).toExponential().split('e');
  return [mantissa.replace('.', ''), Number(exponent)];
};

const exponentText = (exponent: number): string =>
  `e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;

/** Digits (no point) placed as fixed notation with `exponent`: ('12345', 3) -> '1234.5'. */
const placeFixed = (digits: string, exponent: number): string => {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length);
  return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
};

const specialFloat = (value: number): string | undefined => {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
};

/**
 * A float64 in Go's %e, %f or %g; `precision` -1 is the shortest form that reads back (what %v prints, with the
 * exponent form from 1e+06 up and below 1e-04).
 */
export const formatFloat = (value: number, verb: 'e' | 'f' | 'g', precision: number, sharp = false): string => {
  const special = specialFloat(value);
  if (special !== undefined) return special;
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const magnitude = Math.abs(value);
  if (verb === 'f') {
    if (precision < 0) {
      const [digits, exponent] = shortestDigits(magnitude);
      return sign + placeFixed(digits, exponent);
    }
    return sign + fixedDigits(magnitude, precision);
  }
  if (verb === 'e') {
    const text = precision < 0 ? magnitude.toExponential() : magnitude.toExponential(Math.min(precision, 100));
    const [mantissa = '0', exponent = '0'] = text.split('e');
    return sign + mantissa + exponentText(Number(exponent));
  }
  // %g: %e when the exponent is below -4 or at least the precision (6 for the shortest form), else %f.
  let digits: string;
  let exponent: number;
  if (precision < 0) {
    [digits, exponent] = shortestDigits(magnitude);
  } else {
    const [mantissa = '0', exp = '0'] = magnitude
      .toExponential(Math.max(0, Math.min(precision || 1, 100) - 1))
      .split('e');
    digits = mantissa.replace('.', '');
    exponent = Number(exp);
    if (!sharp) digits = digits.replace(/0+$/, '') || '0';
  }
  const limit = precision < 0 ? 6 : precision || 1;
  if (exponent < -4 || exponent >= limit) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : (digits[0] ?? '0');
    return sign + mantissa + exponentText(exponent);
  }
  return sign + placeFixed(digits, exponent);
};

/** %.Nf for any size: toFixed switches to exponent form from 1e21. */
const fixedDigits = (magnitude: number, precision: number): string => {
  if (magnitude < 1e21) return magnitude.toFixed(Math.min(precision, 100));
  const whole = BigInt(Math.trunc(magnitude)).toString();
  return precision > 0 ? `${whole}.${'0'.repeat(precision)}` : whole;
};

const formatNumberValue = (value: GoNumber): string =>
  isFloat(value) ? formatFloat(numberOf(value), 'g', -1) : formatInt(numberOf(value));

/**
 * A value as fmt's %v (and fmt.Sprint) prints it.
 * @example formatValue(['a', 1, undefined]) // '[a 1 <nil>]'
 */
export const formatValue = (value: unknown): string => {
  if (value === undefined || value === null) return '<nil>';
  if (value instanceof GoNil) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isNumber(value)) return formatNumberValue(value);
  if (value instanceof SafeHtml) return value.html;
  if (value instanceof GoNamedInt) return value.name;
  if (value instanceof GoObject) return value.describe();
  if (value instanceof Date) return formatDateUtc(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (isMap(value))
    return `map[${mapEntries(value)
      .map(([key, item]) => `${key}:${formatValue(item)}`)
      .join(' ')}]`;
  if (typeof value === 'function') return '<func>';
  return String(value);
};

/** A bare Date (front matter) as Go prints a time.Time in UTC: 2024-03-05 08:20:30 +0000 UTC. */
const formatDateUtc = (date: Date): string => {
  const iso = date.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
};

/**
 * fmt.Sprint: operands side by side, with a space between two operands when neither is a string.
 * @example sprint([1, 2, 'a', 'b', 3]) // '1 2ab3'
 */
export const sprint = (values: readonly unknown[]): string => {
  let out = '';
  values.forEach((value, index) => {
    const isString = (item: unknown) => typeof item === 'string' || item instanceof SafeHtml;
    if (index > 0 && !isString(value) && !isString(values[index - 1])) out += ' ';
    out += formatValue(value);
  });
  return out;
};

// ---------------------------------------------------------------- Printf

type Spec = {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width?: number;
  precision?: number;
};

/** Go's strconv.Quote: double quotes, backslash escapes for quotes, backslashes and what cannot be printed. */
export const quoteGo = (value: string): string => {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (char === '\x07') out += '\\a';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(char) || char === '\uFFFD')
      out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
};

const pad = (body: string, spec: Spec, numeric: boolean): string => {
  const width = spec.width ?? 0;
  const length = [...body].length;
  if (length >= width) return body;
  if (spec.minus) return body + ' '.repeat(width - length);
  if (spec.zero && numeric) {
    const sign = /^[-+ ]/.test(body) ? (body[0] ?? '') : '';
    const prefix = /^[-+ ]?0[xXbo]/.test(body) && spec.sharp ? body.slice(sign.length, sign.length + 2) : '';
    const digits = body.slice(sign.length + prefix.length);
    return sign + prefix + '0'.repeat(width - length) + digits;
  }
  return ' '.repeat(width - length) + body;
};

const signed = (body: string, negative: boolean, spec: Spec): string =>
  negative ? `-${body}` : spec.plus ? `+${body}` : spec.space ? ` ${body}` : body;

const bad = (verb: string, value: unknown): string =>
  value === undefined || value === null || value instanceof GoNil
    ? `%!${verb}(<nil>)`
    : `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;

const formatInteger = (value: number, verb: string, spec: Spec): string => {
  const negative = value < 0;
  const magnitude = BigInt(Math.trunc(Math.abs(value)));
  let body: string;
  switch (verb) {
    case 'b':
      body = magnitude.toString(2);
      break;
    case 'o':
    case 'O':
      body = (verb === 'O' ? '0o' : spec.sharp ? '0' : '') + magnitude.toString(8);
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + magnitude.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + magnitude.toString(16).toUpperCase();
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(magnitude)), spec, false);
    case 'q':
      return pad(`'${String.fromCodePoint(Number(magnitude))}'`, spec, false);
    case 'U':
      return pad(`U+${magnitude.toString(16).toUpperCase().padStart(4, '0')}`, spec, false);
    default:
      body = magnitude.toString();
  }
  if (spec.precision !== undefined) body = body.padStart(spec.precision, '0');
  return pad(signed(body, negative, spec), spec, spec.precision === undefined);
};

const formatFloatVerb = (value: number, verb: string, spec: Spec): string => {
  const lower = verb.toLowerCase();
  const kind = lower === 'v' ? 'g' : lower === 'f' ? 'f' : lower === 'e' ? 'e' : 'g';
  const precision = spec.precision ?? (kind === 'g' ? -1 : 6);
  let body = formatFloat(Math.abs(value), kind, precision, spec.sharp);
  if (verb === 'E' || verb === 'G') body = body.toUpperCase();
  const negative = value < 0 || Object.is(value, -0);
  return pad(signed(body, negative && !Number.isNaN(value), spec), spec, Number.isFinite(value));
};

const hexOf = (value: string, upper: boolean, spec: Spec): string => {
  const bytes = Buffer.from(value, 'utf8');
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0'));
  const joined = spec.space
    ? hex.map((h) => (spec.sharp ? `0x${h}` : h)).join(' ')
    : (spec.sharp ? '0x' : '') + hex.join('');
  return upper ? joined.toUpperCase().replace(/0X/g, '0X') : joined;
};

/** One operand under one verb. */
const formatOne = (value: unknown, verb: string, spec: Spec): string => {
  if (verb === 'T') return pad(goTypeName(value), spec, false);
  if (value === undefined || value === null || value instanceof GoNil) {
    return verb === 'v' ? pad('<nil>', spec, false) : bad(verb, value);
  }
  if (Array.isArray(value) && verb !== 'v' && verb !== 'T') {
    return `[${value.map((item) => formatOne(item, verb, { ...spec, width: 0 })).join(' ')}]`;
  }
  if (value instanceof GoNamedInt) {
    return verb === 'v' || verb === 's' ? pad(value.name, spec, false) : formatOne(value.value, verb, spec);
  }
  if (typeof value === 'boolean') {
    return verb === 'v' || verb === 't' ? pad(value ? 'true' : 'false', spec, false) : bad(verb, value);
  }
  if (isNumber(value)) {
    const number = numberOf(value);
    if (isFloat(value)) {
      return 'vfFeEgG'.includes(verb) ? formatFloatVerb(number, verb, spec) : bad(verb, value);
    }
    if (verb === 'v' || verb === 'd') return formatInteger(number, 'd', spec);
    if ('bcoOqxXU'.includes(verb)) return formatInteger(number, verb, spec);
    if ('eEfFgG'.includes(verb)) return bad(verb, value);
    return bad(verb, value);
  }
  if (typeof value === 'string' || value instanceof SafeHtml) {
    const string = value instanceof SafeHtml ? value.html : value;
    const cut = spec.precision === undefined ? string : [...string].slice(0, spec.precision).join('');
    if (verb === 'v' || verb === 's') return pad(cut, spec, false);
    if (verb === 'q') return pad(quoteGo(cut), spec, false);
    if (verb === 'x' || verb === 'X') return pad(hexOf(cut, verb === 'X', spec), spec, false);
    return bad(verb, value);
  }
  if (verb === 'v' || verb === 's') return pad(formatValue(value), spec, false);
  return bad(verb, value);
};

/**
 * Go's fmt.Sprintf.
 * @example sprintf('%5.2f|%-4s|%q', [3.14159, 'ab', 'x']) // ' 3.14|ab  |"x"'
 */
export const sprintf = (format: string, args: readonly unknown[], limit = Number.POSITIVE_INFINITY): string => {
  let out = '';
  let next = 0;
  let at = 0;
  let reordered = false;
  while (at < format.length) {
    const percent = format.indexOf('%', at);
    if (percent === -1) {
      out += format.slice(at);
      break;
    }
    out += format.slice(at, percent);
    at = percent + 1;
    const spec: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false };
    for (; at < format.length; at++) {
      const flag = format[at];
      if (flag === '-') spec.minus = true;
      else if (flag === '+') spec.plus = true;
      else if (flag === ' ') spec.space = true;
      else if (flag === '0') spec.zero = true;
      else if (flag === '#') spec.sharp = true;
      else break;
    }
    // An explicit argument index, %[2]s, picks the operand (and the ones after it).
    const readIndex = () => {
      const index = /^\[(\d+)\]/.exec(format.slice(at));
      if (!index?.[1]) return;
      next = Number(index[1]) - 1;
      reordered = true;
      at += index[0].length;
    };
    readIndex();
    const readNumber = (): number | undefined => {
      if (format[at] === '*') {
        at++;
        const value = args[next++];
        return isNumber(value) ? Math.trunc(numberOf(value)) : undefined;
      }
      const digits = /^\d+/.exec(format.slice(at))?.[0];
      if (digits === undefined) return undefined;
      at += digits.length;
      return Number(digits);
    };
    const width = readNumber();
    if (width !== undefined) spec.width = width < 0 ? -width : width;
    if (width !== undefined && width < 0) spec.minus = true;
    if (format[at] === '.') {
      at++;
      spec.precision = readNumber() ?? 0;
    }
    readIndex();
    if ((spec.width ?? 0) > limit || (spec.precision ?? 0) > limit) {
      throw new RangeError(`the width or precision in "${format.slice(percent, at + 1)}" is too large`);
    }
    const verb = String.fromCodePoint(format.codePointAt(at) ?? 0x25);
    if (at >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    at += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[next++], verb, spec);
    if (out.length > limit) throw new RangeError('the formatted text is too long');
  }
  if (next < args.length && !reordered) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((value) => `${goTypeName(value)}=${formatValue(value)}`)
      .join(', ')})`;
  }
  return out;
};

/** html/template's escaping of a value printed in HTML text. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"'+\0]/g, (char) => ESCAPES[char] ?? char);

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  '+': '&#43;',
  '\0': '\uFFFD',
};
