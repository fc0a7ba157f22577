import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePostBytes } from '../../../functions/core/posts/decode.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const concat = (...parts: (Uint8Array | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => Array.from(part)));

const utf16 = (text: string, order: 'le' | 'be'): Uint8Array => {
  const bytes: number[] = order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    const pair = [unit & 0xff, unit >> 8];
    bytes.push(...(order === 'le' ? pair : pair.reverse()));
  }
  return Uint8Array.from(bytes);
};

describe('decodePostBytes', () => {
  it('returns UTF-8 text unchanged with no problems', () => {
    // Prepare
    const bytes = utf8('---\ntitle: Café 😅\n---\nBody\n');

    // Act
    const result = decodePostBytes(bytes, 'posts/cafe.md', 1000);

    // Assess
    expect(result).toEqual({ text: '---\ntitle: Café 😅\n---\nBody\n', problems: [] });
  });

  it('strips a UTF-8 byte order mark', () => {
    // Prepare
    const bytes = concat([0xef, 0xbb, 0xbf], utf8('# Hello'));

    // Act
    const result = decodePostBytes(bytes, 'hello.md', 1000);

    // Assess
    expect(result.text).toBe('# Hello');
    expect(result.problems).toEqual([]);
  });

  it.each([
    ['little-endian', 'le'],
    ['big-endian', 'be'],
  ] as const)('decodes %s UTF-16 with a byte order mark', (_name, order) => {
    // Prepare
    const bytes = utf16('# Grüße 😅\r\nText', order);

    // Act
    const result = decodePostBytes(bytes, 'utf16.md', 1000);

    // Assess
    expect(result).toEqual({ text: '# Grüße 😅\nText', problems: [] });
  });

  it('rejects UTF-16 with a byte order mark and an unpaired surrogate', () => {
    // Prepare
    const bytes = Uint8Array.of(0xff, 0xfe, 0x41, 0x00, 0x3d, 0xd8, 0x41, 0x00);

    // Act
    const result = decodePostBytes(bytes, 'broken.md', 1000);

    // Assess
    expect(result.text).toBe('');
    expect(result.problems).toMatchObject([{ file: 'broken.md', field: 'encoding', severity: 'error' }]);
    expect(result.problems[0]?.message).toContain('UTF-16LE');
  });

  it('normalises CRLF and lone CR line endings to LF', () => {
    // Prepare
    const bytes = utf8('one\r\ntwo\rthree\n\r\nfour');

    // Act
    const result = decodePostBytes(bytes, 'endings.md', 1000);

    // Assess
    expect(result.text).toBe('one\ntwo\nthree\n\nfour');
  });

  it('rejects a file over the size limit, naming the size and the limit', () => {
    // Prepare
    const bytes = utf8('x'.repeat(2049));

    // Act
    const result = decodePostBytes(bytes, 'big.md', 2048);

    // Assess
    expect(result.text).toBe('');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: 'big.md', field: 'file', severity: 'error' });
    expect(result.problems[0]?.message).toContain('2049 bytes');
    expect(result.problems[0]?.message).toContain('2048 bytes');
  });

  it('accepts a file of exactly the size limit', () => {
    // Prepare
    const bytes = utf8('x'.repeat(64));

    // Act
    const result = decodePostBytes(bytes, 'exact.md', 64);

    // Assess
    expect(result.problems).toEqual([]);
  });

  it.each([
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]],
    ['JPEG', [0xff, 0xd8, 0xff, 0xe0, 0x10, 0x4a, 0x46, 0x49, 0x46]],
    ['GIF', Array.from(utf8('GIF89a\u0001'))],
    ['PDF', Array.from(utf8('%PDF-1.7\n%...'))],
    ['ZIP', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]],
  ])('rejects a %s file named .md as binary', (_format, bytes) => {
    // Prepare
    const input = Uint8Array.from(bytes);

    // Act
    const result = decodePostBytes(input, 'image.md', 1000);

    // Assess
    expect(result.text).toBe('');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: 'image.md', field: 'file', severity: 'error' });
    expect(result.problems[0]?.message).toMatch(/binary file .*named \.md/);
  });

  it('rejects text containing a NUL byte as binary, naming its line', () => {
    // Prepare
    const bytes = concat(utf8('line one\nline two '), [0x00], utf8(' more'));

    // Act
    const result = decodePostBytes(bytes, 'nul.md', 1000);

    // Assess
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 2, field: 'file', severity: 'error' });
    expect(result.problems[0]?.message).toContain('binary file named .md');
  });

  it('rejects Latin-1 bytes, naming the line, the byte offset and the likely encoding', () => {
    // Prepare: "café" saved as Windows-1252 on the third line (é is the single byte 0xE9 at offset 20).
    const bytes = concat(utf8('title: x\r\nfirst\r\ncaf'), [0xe9], utf8('\r\n'));

    // Act
    const result = decodePostBytes(bytes, 'latin.md', 1000);

    // Assess
    expect(result.text).toBe('');
    expect(result.problems).toHaveLength(1);
    const [problem] = result.problems;
    expect(problem).toMatchObject({ file: 'latin.md', line: 3, field: 'encoding', severity: 'error' });
    expect(problem?.message).toContain('byte offset 20');
    expect(problem?.message).toContain('0xE9');
    expect(problem?.message).toMatch(/Latin-1|Windows-1252/);
    expect(problem?.fix).toContain('UTF-8');
  });

  it('counts the byte offset from the start of the file when a UTF-8 BOM precedes the bad byte', () => {
    // Prepare
    const bytes = concat([0xef, 0xbb, 0xbf], utf8('ab'), [0x92]);

    // Act
    const result = decodePostBytes(bytes, 'bom.md', 1000);

    // Assess
    expect(result.problems[0]?.message).toContain('byte offset 5');
    expect(result.problems[0]?.line).toBe(1);
  });

  it.each([
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence at the end', [0xe2, 0x80]],
  ])('rejects %s as invalid UTF-8', (_case, bad) => {
    // Prepare
    const bytes = concat(utf8('ok '), bad);

    // Act
    const result = decodePostBytes(bytes, 'bad.md', 1000);

    // Assess
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ field: 'encoding', line: 1 });
    expect(result.problems[0]?.message).toContain('byte offset 3');
  });

  it.each([
    ['empty', ''],
    ['whitespace only', ' \r\n\t\n  '],
    ['a byte order mark only', '\ufeff'],
  ])('rejects a file that is %s', (_case, text) => {
    // Prepare
    const bytes = utf8(text);

    // Act
    const result = decodePostBytes(bytes, 'empty.md', 1000);

    // Assess
    expect(result.text).toBe('');
    expect(result.problems).toMatchObject([{ file: 'empty.md', field: 'file', severity: 'error' }]);
    expect(result.problems[0]?.message).toMatch(/empty/);
  });

  /*
   * Property: any non-blank text without NUL, encoded as UTF-8, decodes back to itself with its line endings
   * normalised to LF, and without problems.
   */
  it('decodes any UTF-8 text back to itself with LF line endings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((text) => text.trim() !== '' && !text.includes('\0')),
        (text) => {
          // Prepare
          const bytes = utf8(text);

          // Act
          const result = decodePostBytes(bytes, 'any.md', Number.MAX_SAFE_INTEGER);

          // Assess
          expect(result.problems).toEqual([]);
          expect(result.text).toBe(text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n'));
        },
      ),
    );
  });
});
