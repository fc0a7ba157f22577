import { GoTemplateError } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toFloat, toInt, toText } from './convert.ts';

/**
 * Hugo's lang namespace: T and i18n from the site's `i18n/<language>` files (a key the site does not translate is
 * shown as the key itself, with a warning), and numbers, percentages and money as Hugo writes them in English.
 */

/** Currency symbols of Hugo's English locale data; other currencies are written with their code (EUR1.00). */
const SYMBOLS: Record<string, string> = { USD: '$', JPY: '¥' };

const precisionOf = (precision: unknown): number => {
  const count = toInt(precision);
  if (count < 0 || count > 20) throw new GoTemplateError(`precision ${count} is out of range`);
  return count;
};

/** Go's strconv 'f' formatting: the nearest decimal, an exact half going to the even digit (2.5 -> 2). */
const goFixed = (value: number, precision: number): string => {
  const scaled = value * 10 ** precision;
  if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && scaled % 1 !== 0 && Number.isInteger(scaled * 2)) {
    const even = Math.floor(scaled) % 2 === 0 ? Math.floor(scaled) : Math.ceil(scaled);
    return (even / 10 ** precision).toFixed(precision);
  }
  return value.toFixed(precision);
};

/** Digits grouped by three with a comma, as the English locale writes them. */
const grouped = (fixed: string): string => {
  const [whole = '0', fraction] = fixed.split('.');
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (fraction === undefined ? '' : `.${fraction}`);
};

const formatDecimal = (precision: unknown, number: unknown): string => {
  const value = toFloat(number);
  const text = grouped(goFixed(Math.abs(value), precisionOf(precision)));
  return value < 0 && /[1-9]/.test(text) ? `-${text}` : text;
};

/** Money has at least two decimals, as the locale data's currency format pads them. */
const formatMoney = (precision: unknown, currency: unknown, number: unknown, accounting: boolean): string => {
  const value = toFloat(number);
  const digits = precisionOf(precision);
  let text = grouped(goFixed(Math.abs(value), digits));
  if (digits < 2) text += (digits === 0 ? '.' : '') + '0'.repeat(2 - digits);
  const code = toText(currency).toUpperCase();
  const money = `${SYMBOLS[code] ?? code}${text}`;
  if (value >= 0) return money;
  return accounting ? `(${money})` : `-${money}`;
};

/** FormatNumberCustom's options: "minus decimal grouping", e.g. "- , ." for 1.234,56. */
const formatCustom = (
  precision: unknown,
  number: unknown,
  options: unknown = undefined,
  delimiter: unknown = undefined,
): string => {
  const separator = delimiter === undefined ? ' ' : toText(delimiter);
  const [minus = '-', decimal = '.', grouping = ''] = toText(options ?? '- . ,').split(separator);
  const value = toFloat(number);
  const digits = precisionOf(precision);
  // FormatNumberCustom rounds halves away from zero (2.5 -> 3), unlike FormatNumber.
  const fixed = (Math.round(Math.abs(value) * 10 ** digits) / 10 ** digits).toFixed(digits);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = grouping === '' ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, grouping);
  return `${value < 0 ? minus : ''}${grouped}${fraction === undefined ? '' : decimal + fraction}`;
};

export const langFunctions: FunctionFamily = (context) => {
  const language = context.site.language;
  const translate = (key: unknown, data: unknown = undefined) => {
    const name = toText(key);
    const found = context.translate(name, data);
    if (found !== undefined) return found;
    context.warn(
      `The site has no translation of "${name}" for the language "${language}" (i18n/${language}.toml), so the key itself is shown.`,
    );
    return name;
  };
  const formatNumber = (precision: unknown, number: unknown) => formatDecimal(precision, number);
  const formatPercent = (precision: unknown, number: unknown) => `${formatDecimal(precision, number)}%`;
  const formatCurrency = (precision: unknown, currency: unknown, number: unknown) =>
    formatMoney(precision, currency, number, false);
  const formatAccounting = (precision: unknown, currency: unknown, number: unknown) =>
    formatMoney(precision, currency, number, true);
  return {
    T: translate,
    i18n: translate,
    'lang.Translate': translate,
    'lang.FormatNumber': formatNumber,
    'lang.FormatNumberCustom': formatCustom,
    'lang.NumFmt': formatCustom,
    'lang.FormatPercent': formatPercent,
    'lang.FormatCurrency': formatCurrency,
    'lang.FormatAccounting': formatAccounting,
  };
};
