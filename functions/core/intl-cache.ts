/**
 * Intl formatters are slow to build (tens of microseconds each) and fast to use: a 10,000-post build formats
 * tens of thousands of dates, so each (locale, options) pair is built once.
 * @example dateTimeFormat('en', { timeZone: 'UTC', month: 'long' }).format(date)
 */
const cached = <O, F>(create: (locale: string, options: O) => F): ((locale: string, options: O) => F) => {
  const made = new Map<string, F>();
  return (locale, options) => {
    const key = `${locale}|${JSON.stringify(options)}`;
    let format = made.get(key);
    if (format === undefined) {
      format = create(locale, options);
      made.set(key, format);
    }
    return format;
  };
};

export const dateTimeFormat = cached(
  (locale, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options),
);

export const listFormat = cached((locale, options: Intl.ListFormatOptions) => new Intl.ListFormat(locale, options));
