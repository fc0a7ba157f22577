import type { Problem } from '../types.ts';

/**
 * Turns the raw bytes of a post into text, or explains why it cannot.
 *
 * Only UTF-8 (with or without a BOM) and UTF-16 with a BOM are accepted. Bytes that are not valid UTF-8 are an
 * error, never a guess: a Latin-1 file and a Windows-1252 file differ in exactly the characters authors care
 * about (curly quotes, dashes, the euro sign), so converting silently would publish the wrong text.
 *
 * @example decodePostBytes(new TextEncoder().encode('# Hi\r\n'), 'hi.md', 1_000_000) // { text: '# Hi\n', problems: [] }
 */
export const decodePostBytes = (
  bytes: Uint8Array,
  file: string,
  maxBytes: number,
): { text: string; problems: Problem[] } => {
  const fail = (problem: Omit<Problem, 'file' | 'severity'>) => ({
    text: '',
    problems: [{ file, severity: 'error' as const, ...problem }],
  });

  if (bytes.length > maxBytes) {
    return fail({
      field: 'file',
      message: `The file is ${formatBytes(bytes.length)}, over the limit of ${formatBytes(maxBytes)}.`,
      fix: 'Shorten the post or move large media (images, data) out of the Markdown file and link to it.',
    });
  }

  const format = detectBinaryFormat(bytes);
  if (format !== undefined) {
    return fail({
      field: 'file',
      message: `This looks like a binary file (${format}) named .md, not Markdown text.`,
      fix: 'Check that the right file was uploaded; images and documents belong next to the post, linked from it.',
    });
  }

  const decoded = decodeText(bytes);
  if ('error' in decoded) return fail(decoded.error);

  const text = decoded.text.replace(/\r\n?/g, '\n');
  if (text.trim() === '') {
    return fail({
      field: 'file',
      message: 'The file is empty or contains only whitespace.',
      fix: 'Add front matter and a body, or delete the file if the post was not meant to exist.',
    });
  }
  return { text, problems: [] };
};

type DecodeOutcome = { text: string } | { error: Omit<Problem, 'file' | 'severity'> };

const decodeText = (bytes: Uint8Array): DecodeOutcome => {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const label = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      return { text: new TextDecoder(label, { fatal: true }).decode(bytes.subarray(2)) };
    } catch {
      return {
        error: {
          field: 'encoding',
          message: `The file starts with a ${label.toUpperCase()} byte order mark but is not valid ${label.toUpperCase()}.`,
          fix: 'Open the file in your editor and save it again with the encoding "UTF-8".',
        },
      };
    }
  }

  // Without a UTF-16 BOM, a NUL byte means binary data: Markdown text never contains one.
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      error: {
        field: 'file',
        line: lineAt(bytes, nul),
        message: `This looks like a binary file named .md: it contains a NUL byte at byte offset ${nul}.`,
        fix: 'Check that the right file was uploaded, and that it was saved as plain text in UTF-8.',
      },
    };
  }

  const body = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
  const bad = findInvalidUtf8(body);
  if (bad !== -1) {
    const offset = bad + (body === bytes ? 0 : 3);
    const byte = bytes[offset] ?? 0;
    const asWindows1252 = new TextDecoder('windows-1252').decode(Uint8Array.of(byte));
    return {
      error: {
        field: 'encoding',
        line: lineAt(bytes, offset),
        message:
          `The file is not valid UTF-8: the first bad byte is 0x${hex(byte)} ("${asWindows1252}" in Windows-1252) ` +
          `at byte offset ${offset}. ` +
          'It looks like it was saved as Latin-1 or Windows-1252.',
        fix: 'Open the file in your editor and save it again with the encoding "UTF-8" (not "Western" or "ANSI").',
      },
    };
  }
  return { text: new TextDecoder('utf-8').decode(body) };
};

/** Magic numbers of the binary formats most likely to be uploaded by mistake under a `.md` name. */
const MAGIC_NUMBERS: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'ZIP archive or Office document', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'ZIP archive', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: 'gzip archive', bytes: [0x1f, 0x8b] },
  { name: 'RIFF media (WebP, WAV or AVI)', bytes: [0x52, 0x49, 0x46, 0x46] },
];

const detectBinaryFormat = (bytes: Uint8Array): string | undefined =>
  MAGIC_NUMBERS.find((magic) => startsWith(bytes, magic.bytes))?.name;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1. TextDecoder only says "invalid", and authors need the place.
 */
const findInvalidUtf8 = (bytes: Uint8Array): number => {
  let index = 0;
  while (index < bytes.length) {
    const length = utf8SequenceLength(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return -1;
};

/** Length of the well-formed UTF-8 sequence starting at `index`, or 0 when there is none. */
export const utf8SequenceLength = (bytes: ArrayLike<number>, index: number): number => {
  const lead = bytes[index] ?? 0;
  if (lead < 0x80) return 1;
  const isContinuation = (offset: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[index + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return isContinuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return isContinuation(1, low, high) && isContinuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return isContinuation(1, low, high) && isContinuation(2) && isContinuation(3) ? 4 : 0;
  }
  return 0;
};

/** 1-based line of a byte offset, counting LF, CRLF and lone CR as line breaks (as the decoded text will). */
const lineAt = (bytes: Uint8Array, offset: number): number => {
  let line = 1;
  for (let index = 0; index < offset; index++) {
    const byte = bytes[index];
    if (byte === 0x0a || (byte === 0x0d && bytes[index + 1] !== 0x0a)) line++;
  }
  return line;
};

const hex = (byte: number): string => byte.toString(16).toUpperCase().padStart(2, '0');

const formatBytes = (count: number): string =>
  count >= 1024 * 1024
    ? `${(count / (1024 * 1024)).toFixed(1)} MiB (${count} bytes)`
    : count >= 1024
      ? `${(count / 1024).toFixed(1)} KiB (${count} bytes)`
      : `${count} bytes`;
