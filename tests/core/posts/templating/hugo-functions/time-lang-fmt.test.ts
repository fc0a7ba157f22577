import { describe, expect, it } from 'vitest';
import { renderWithFunctions } from './render.ts';

/* Hugo's time, lang, fmt, cast and the remaining functions; expected values printed by Hugo 0.111.3. */

describe('time functions', () => {
  it.each([
    [
      '{{ dateFormat "Jan 2006" "2024-01-15" }}|{{ (time "2024-01-15T10:00:00Z").Format "2006-01-02 15:04" }}|{{ (time.AsTime "2023-05-06").Year }}|{{ time "2024-02-01" }}',
      'Jan 2024|2024-01-15 10:00|2023|2024-02-01 00:00:00 &#43;0000 UTC',
    ],
    [
      '{{ time.Format ":date_medium" "2024-03-05" }}|{{ ((time "2024-01-31").AddDate 0 1 0).Format "2006-01-02" }}|{{ (time "2024-07-04").Weekday }}',
      'Mar 5, 2024|2024-03-02|Thursday',
    ],
    ['{{ now.Year }}|{{ now.Format "2006-01-02" }}', '2024|2024-03-05'],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });
});

describe('lang functions', () => {
  it.each([
    [
      '{{ lang.FormatNumber 2 12345.678 }}|{{ lang.FormatNumber 0 2.5 }}|{{ lang.FormatNumber 0 3.5 }}|{{ lang.FormatNumber 2 1.005 }}|{{ lang.FormatNumber 3 -0.5 }}',
      '12,345.68|2|4|1.00|-0.500',
    ],
    [
      '{{ lang.FormatNumberCustom 2 12345.678 }}|{{ lang.FormatNumberCustom 0 2.5 }}|{{ lang.FormatNumberCustom 2 -1234.567 "- , ." }}|{{ lang.FormatPercent 1 12.34 }}',
      '12,345.68|3|-1.234,57|12.3%',
    ],
    [
      '{{ lang.FormatCurrency 2 "USD" 1234.5 }}|{{ lang.FormatCurrency 0 "EUR" 1234.5 }}|{{ lang.FormatCurrency 3 "USD" 3 }}|{{ lang.FormatAccounting 2 "USD" -1234.5 }}',
      '$1,234.50|EUR1,234.00|$3.000|($1,234.50)',
    ],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it('shows a key the site does not translate as itself, with a warning', () => {
    // Prepare, Act
    const { text, warnings } = renderWithFunctions('{{ T "greeting" }}, {{ T "note" }} {{ i18n "note" }}');
    // Assess
    expect(text).toBe('Hello, note note');
    expect(warnings[0]).toMatch(/no translation of "note" for the language "en"/);
  });
});

describe('fmt and the other functions', () => {
  it.each([
    ['{{ "abc" | upper | printf "%s!" }}|{{ print 1 2 "a" "b" 3 }}|{{ println "a" 1 }}', 'ABC!|1 2ab3|a 1\n'],
    [
      '{{ humanize "my-first_post" }}|{{ humanize "someCamelCase" }}|{{ humanize 52 }}|{{ humanize "ALLCAPS" }}',
      'My first post|Some camel case|52nd|Allcaps',
    ],
    [
      '{{ pluralize "child" }}|{{ pluralize "box" }}|{{ pluralize "story" }}|{{ pluralize "sheep" }}|{{ singularize "knives" }}|{{ singularize "people" }}',
      'children|boxes|stories|sheep|knife|person',
    ],
    [
      '{{ path.Base "a/b.txt" }}|{{ path.Ext "a/b.txt" }}|{{ path.Dir "a/b.txt" }}|{{ path.Join "a" "b/../c" }}|{{ path.Clean "a//b/./c/.." }}',
      'b.txt|.txt|a|a/c|a/b',
    ],
    [
      '{{ hugo.Version }}|{{ hugo.Environment }}|{{ hugo.IsProduction }}|{{ site.Title }}|{{ reflect.IsMap (dict) }}|{{ reflect.IsSlice (slice) }}',
      '0.111.3|production|true|Notes|true|true',
    ],
    [
      '{{ partial "card" 3 }}|{{ templates.Exists "partials/card.html" }}|{{ os.FileExists "2024/trip/photo.jpg" }}|{{ os.FileExists "nope.jpg" }}',
      'card:3|true|true|false',
    ],
    ['{{ warnf "careful %d" 3 }}done', 'done'],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it("stops with the template's own message on errorf, and warns on warnf", () => {
    // Prepare, Act
    const failing = () => renderWithFunctions('{{ errorf "missing %s" "image" }}');
    const warned = renderWithFunctions('{{ warnf "careful %d" 3 }}').warnings;
    // Assess
    expect(failing).toThrow(/^missing image$/);
    expect(warned).toEqual(['careful 3']);
  });

  it('leaves out a partial that was not uploaded, with a warning', () => {
    // Prepare, Act
    const { text, warnings } = renderWithFunctions('[{{ partial "byline.html" . }}]');
    // Assess
    expect(text).toBe('[]');
    expect(warnings[0]).toMatch(/partial "byline.html" was not uploaded/);
  });

  it.each([
    ['{{ getJSON "https://example.org/x.json" }}', /getJSON" cannot run here: it reads from the network/],
    ['{{ resources.Get "x.scss" }}', /assets pipeline/],
    ['{{ printf }}', /wrong number of args for printf/],
  ])('refuses %s, naming why', (source, message) => {
    // Prepare, Act, Assess
    expect(() => renderWithFunctions(source)).toThrow(message);
  });
});
