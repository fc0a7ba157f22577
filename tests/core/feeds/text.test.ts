import { describe, expect, it } from 'vitest';
import { formatRfc822, formatRfc3339 } from '../../../functions/core/feeds/dates.ts';
import { escapeXmlAttribute, escapeXmlText, stripControlCharacters } from '../../../functions/core/xml.ts';

describe('stripControlCharacters', () => {
  it.each([
    ['C0 controls', 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg', 'abcdefg'],
    ['tab and newline, which stay', 'a\tb\nc', 'a\tb\nc'],
    ['carriage returns, which become newlines', 'a\r\nb\rc', 'a\nb\nc'],
    ['non-characters', 'a\uFFFEb\uFFFFc', 'abc'],
    ['lone surrogates', 'a\uD800b\uDC00c', 'abc'],
    ['a surrogate pair, which stays', 'smile \uD83D\uDE00', 'smile \uD83D\uDE00'],
    ['markup, which is not its business', '</title>]]>', '</title>]]>'],
  ])('handles %s', (_case, input, expected) => {
    // Prepare
    const text = input;

    // Act
    const stripped = stripControlCharacters(text);

    // Assess
    expect(stripped).toBe(expected);
  });
});

describe('escapeXmlText and escapeXmlAttribute', () => {
  it('escapes markup and the end of a CDATA section in text', () => {
    // Prepare
    const text = 'a & b < c > d ]]> e';

    // Act
    const escaped = escapeXmlText(text);

    // Assess
    expect(escaped).toBe('a &amp; b &lt; c &gt; d ]]&gt; e');
  });

  it('escapes quotes and whitespace that parsers would normalise in attributes', () => {
    // Prepare
    const value = 'say "hi"\tnow\nplease & <go>';

    // Act
    const escaped = escapeXmlAttribute(value);

    // Assess
    expect(escaped).toBe('say &quot;hi&quot;&#9;now&#10;please &amp; &lt;go&gt;');
  });
});

describe('formatRfc822 and formatRfc3339', () => {
  it('writes an instant with an offset in UTC', () => {
    // Prepare
    const date = new Date('2019-10-25T10:28:00+02:00');

    // Act
    const formatted = { rfc822: formatRfc822(date), rfc3339: formatRfc3339(date) };

    // Assess
    expect(formatted).toEqual({ rfc822: 'Fri, 25 Oct 2019 08:28:00 GMT', rfc3339: '2019-10-25T08:28:00Z' });
  });

  it('drops fractions of a second, which RSS cannot carry', () => {
    // Prepare
    const date = new Date('2024-02-29T23:59:59.999Z');

    // Act
    const formatted = { rfc822: formatRfc822(date), rfc3339: formatRfc3339(date) };

    // Assess
    expect(formatted).toEqual({ rfc822: 'Thu, 29 Feb 2024 23:59:59 GMT', rfc3339: '2024-02-29T23:59:59Z' });
  });
});
