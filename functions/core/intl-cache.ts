/**
 * Intl formatters are slow to build (tens of microseconds each) and fast to use: a 10,000-post build formats
 * tens of thousands of dates, so each (locale, options) pair is built once.
 * @example dateTimeFormat('en', { timeZone: 'UTC', month: 'long' }).format(date)
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const listFormats = new Map<string, Intl.ListFormat>();

export const dateTimeFormat = (locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    dateTimeFormats.set(key, format);
  }
  return format;
};

export const listFormat = (locale: string, options: Intl.ListFormatOptions): Intl.ListFormat => {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = listFormats.get(key);
  if (!format) {
    format = new Intl.ListFormat(locale, options);
    listFormats.set(key, format);
  }
  return format;
};
