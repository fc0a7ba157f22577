import iconv from 'iconv-lite';
import { utf8SequenceLength } from './decode.ts';

/** The code pages whose mis-reading of UTF-8 this module undoes. */
export type MojibakeEncoding = 'windows-1252' | 'windows-1254' | 'macintosh';

export interface MojibakeRepair {
  /** 1-based line of the repaired text. */
  line: number;
  /** The garbled characters as they were in the input. */
  from: string;
  /** What they were meant to be. */
  to: string;
  /** The code page the UTF-8 bytes were mis-read as. */
  encoding: MojibakeEncoding;
  /**
   * A byte the code page has no character for was lost on the way (shown as U+FFFD, or dropped), and `to` was
   * chosen by context as the only likely reading; `to` is empty where no reading was likely and the garbled
   * characters were removed.
   */
  guessed?: boolean;
}

export interface MojibakeSuspect {
  /** 1-based line. */
  line: number;
  /** A few characters around the suspicious spot, for the author to search for. */
  sample: string;
}

/**
 * Undoes mojibake: UTF-8 text that some tool read as Windows-1252, Windows-1254 (Turkish) or Mac Roman and then
 * saved again as UTF-8, so `’` became `â€™` and `😅` became `ðŸ˜…`.
 *
 * Each run of characters that all exist in a code page is turned back into that code page's bytes, and each
 * well-formed UTF-8 sequence found in those bytes is replaced by the character it encodes, when that character is
 * plausible (see `isPlausibleRepair`). Nothing is guessed: a sequence that does not decode as strict UTF-8 is left
 * alone, and where it still looks like mojibake it is reported as a suspect instead.
 *
 * Known ambiguities are left as they are and reported as suspects (see `isAmbiguous`). A mis-decoded byte order
 * mark (`ï»¿`) is removed rather than restored. Double mojibake is repaired once only and what remains is reported
 * as a suspect. Repairs come in line order; within a line, grouped by code page.
 *
 * @example repairMojibake('Itâ€™s done ðŸ˜…').text // 'It’s done 😅'
 */
export const repairMojibake = (
  text: string,
): { text: string; repairs: MojibakeRepair[]; suspects: MojibakeSuspect[] } => {
  const repairs: MojibakeRepair[] = [];
  const suspects: MojibakeSuspect[] = [];
  const lines = text.split('\n').map((line, index) => {
    const lineNumber = index + 1;
    if (/^\p{ASCII}*$/u.test(line)) return line;
    let segments: Segment[] = [{ text: line, fixed: false }];
    for (const page of rankCodePages(line)) {
      segments = segments.flatMap((segment) =>
        segment.fixed ? [segment] : repairSegment(segment.text, page, lineNumber, repairs, suspects),
      );
    }
    let repaired = segments.map((segment) => segment.text).join('');
    // The Apple logo is private use: no other system shows it, and left over it is the lead of a lost emoji.
    if (repaired.includes('\uf8ff')) {
      repaired = repaired.replaceAll('\uf8ff', '');
      repairs.push({ line: lineNumber, from: '\uf8ff', to: '', encoding: 'macintosh', guessed: true });
    }
    collectSuspects(repaired, lineNumber, suspects);
    return repaired;
  });
  repairs.sort((a, b) => a.line - b.line);
  suspects.sort((a, b) => a.line - b.line);
  return { text: lines.join('\n'), repairs, suspects: dedupeSuspects(suspects) };
};

/**
 * The code pages in the order their passes run on one line, likeliest reading first. Pages can read the same
 * characters differently (Mac Roman `Î†Ä` is one Hangul syllable, while Windows-1252 sees a Greek letter in its
 * first two characters). The reading that explains more characters wins; then the one that saves more (longer
 * UTF-8 sequences are rarer by chance); ties keep the order of CODE_PAGES.
 */
const rankCodePages = (line: string): CodePage[] => {
  const scored = CODE_PAGES.map((page, index) => {
    const repairs: MojibakeRepair[] = [];
    repairSegment(line, page, 0, repairs, []);
    const covered = repairs.reduce((sum, repair) => sum + repair.from.length, 0);
    const saved = repairs.reduce((sum, repair) => sum + repair.from.length - repair.to.length, 0);
    return { page, index, covered, saved };
  });
  scored.sort((a, b) => b.covered - a.covered || b.saved - a.saved || a.index - b.index);
  return scored.map(({ page }) => page);
};

interface Segment {
  text: string;
  /** Already repaired: later code pages must not reinterpret it. */
  fixed: boolean;
}

interface CodePage {
  name: MojibakeEncoding;
  /** Byte of each non-ASCII character the code page can produce. */
  toByte: ReadonlyMap<string, number>;
  /** Bytes the code page has no character for: a round trip through it loses them (Windows-1252 0x81, 0x8D, …). */
  lost: readonly number[];
}

/** A byte that was lost: U+FFFD in the text, where the code page had no character for it. */
const LOST = -1;

/**
 * Builds the reverse table of a code page from iconv-lite's decoder. Real-world tools that meet a byte the code page
 * leaves undefined tend to keep it as the C1 control with the same number (U+0081 for 0x81), and ISO-8859-1 readers
 * do that for the whole 0x80-0x9F range, so for the Windows pages C1 controls count as their bytes as well.
 */
const buildCodePage = (name: MojibakeEncoding, iconvName: string, extras: [string, number][]): CodePage => {
  const toByte = new Map<string, number>();
  for (let byte = 0x80; byte <= 0xff; byte++) {
    const char = iconv.decode(Buffer.of(byte), iconvName);
    if (char.length === 1 && char !== '\ufffd') toByte.set(char, byte);
  }
  for (const [char, byte] of extras) if (!toByte.has(char)) toByte.set(char, byte);
  const lost: number[] = [];
  for (let byte = 0x80; byte <= 0xbf; byte++) {
    if (iconv.decode(Buffer.of(byte), iconvName) === '\ufffd') lost.push(byte);
  }
  return { name, toByte, lost };
};

const c1Controls = (): [string, number][] =>
  Array.from({ length: 0x20 }, (_, offset) => [String.fromCharCode(0x80 + offset), 0x80 + offset]);

/**
 * Order matters only where pages disagree: Windows-1252 and -1254 share all but a few bytes, and a run is split at
 * any character its page lacks, so the Turkish letters are left for the second pass.
 */
const CODE_PAGES: readonly CodePage[] = [
  buildCodePage('windows-1252', 'windows1252', c1Controls()),
  buildCodePage('windows-1254', 'windows1254', c1Controls()),
  // 0xF0 is the Apple logo (private use U+F8FF), which other systems drop or show as U+FFFD; 0xDB became the euro
  // sign in Mac OS 8.5 while iconv-lite keeps the older currency sign. Apple's own table reads 0xBD as the Greek
  // omega, 0xC6 as the increment sign and 0xB5 as the micro sign, where iconv-lite picks their look-alikes.
  buildCodePage('macintosh', 'macintosh', [
    ['\uf8ff', 0xf0],
    ['\ufffd', 0xf0],
    ['€', 0xdb],
    ['\u03a9', 0xbd],
    ['\u2126', 0xbd],
    ['\u2206', 0xc6],
    ['\u0394', 0xc6],
    ['\u00b5', 0xb5],
    ['\u03bc', 0xb5],
  ]),
];

/** Math signs that Mac Roman also uses for the second byte of accented letters (`√π` is `ù`, `√∫` is `ú`). */
const MAC_MATH_SIGNS = new Set('∞∂∑∏π∫Ωµ');
const MAC_MATH_LEADS = new Set('¬√ƒ≈');

const repairSegment = (
  text: string,
  page: CodePage,
  line: number,
  repairs: MojibakeRepair[],
  suspects: MojibakeSuspect[],
): Segment[] => {
  const chars = Array.from(text);
  const segments: Segment[] = [];
  let plain = '';
  let index = 0;
  while (index < chars.length) {
    const runEnd = findRunEnd(chars, index, page);
    if (runEnd === index) {
      plain += chars[index];
      index++;
      continue;
    }
    const run = chars.slice(index, runEnd);
    const pieces = repairRun(
      run,
      page,
      chars.slice(Math.max(0, index - 8), index).join(''),
      chars.slice(runEnd, runEnd + 8).join(''),
    );
    const repairable = pieces.some((piece) => piece.to !== undefined);
    if (repairable && isAmbiguous(run, page, chars[index - 1], chars[runEnd])) {
      suspects.push({ line, sample: sampleAround(chars, index, runEnd) });
      plain += run.join('');
    } else {
      for (const piece of pieces) {
        if (piece.to === undefined) {
          plain += piece.from;
          continue;
        }
        if (plain !== '') segments.push({ text: plain, fixed: false });
        plain = '';
        segments.push({ text: piece.to, fixed: true });
        repairs.push({
          line,
          from: piece.from,
          to: piece.to,
          encoding: page.name,
          ...(piece.guessed ? { guessed: true } : {}),
        });
      }
    }
    index = runEnd;
  }
  if (plain !== '') segments.push({ text: plain, fixed: false });
  return segments;
};

/** End (exclusive) of the run of non-ASCII characters of `page` starting at `start`. */
const findRunEnd = (chars: readonly string[], start: number, page: CodePage): number => {
  let end = start;
  while (end < chars.length && (page.toByte.has(chars[end] ?? '') || isLostMark(chars[end], page))) end++;
  return end;
};

/**
 * Two-character runs that real text produces as often as mojibake does, and that are therefore left alone (and
 * reported as suspects): a lone `√π` in math, and a capital at the end of an all-caps word followed by punctuation
 * (`DAĞ…` is also the Cyrillic Ѕ, `AQUÍ…` a combining mark). Mixed case (`sÄ…` for `są`) is still repaired.
 */
const isAmbiguous = (
  run: readonly string[],
  page: CodePage,
  before: string | undefined,
  after: string | undefined,
): boolean => {
  if (run.length !== 2 || isLetter(after)) return false;
  const [first = '', second = ''] = run;
  if (page.name === 'macintosh') return MAC_MATH_LEADS.has(first) && MAC_MATH_SIGNS.has(second) && !isLetter(before);
  return isUppercase(first) && isUppercase(before) && TRAILING_PUNCTUATION.has(second);
};

const isLostMark = (char: string | undefined, page: CodePage): boolean => char === '\ufffd' && page.lost.length > 0;

const TRAILING_PUNCTUATION = new Set('…–—‘’‚“”„•«»·\u00a0');

const isLetter = (char: string | undefined): boolean => char !== undefined && /\p{L}/u.test(char);

const isUppercase = (char: string | undefined): boolean => char !== undefined && /\p{Lu}/u.test(char);

interface Piece {
  from: string;
  /** The repaired text, or undefined when `from` stays as it is. */
  to?: string;
  /** Part of the repair was chosen by context where a byte was lost. */
  guessed?: boolean;
}

/** One UTF-8 sequence of a run (or one character that is none), with every reading it may have. */
interface Slot {
  from: string;
  /** The readings; more than one where a lost byte could have been any of several. */
  options: string[];
  decoded: boolean;
  guessed: boolean;
}

/**
 * Splits a run into pieces that stay and pieces that decode; neighbouring decoded sequences form one piece.
 * `before` and `after` are the characters around the run, the context lost bytes are chosen by.
 */
const repairRun = (run: readonly string[], page: CodePage, before: string, after: string): Piece[] => {
  const bytes = run.map((char) => (isLostMark(char, page) ? LOST : (page.toByte.get(char) ?? 0)));
  // The character after the run, as ASCII (never a continuation byte), so a sequence cut short can see what cut it.
  const next = after.codePointAt(0) ?? 0;
  bytes.push(next < 0x80 ? next : 0);
  const slots: Slot[] = [];
  let index = 0;
  while (index < run.length) {
    const decoded = decodeSequenceAt(bytes, index, page);
    const guessed = decoded ? undefined : decodeWithLostByte(bytes, index, page);
    const found = decoded ? { options: [decoded.text], length: decoded.length } : guessed;
    if (found === undefined) {
      slots.push({ from: run[index] ?? '', options: [run[index] ?? ''], decoded: false, guessed: false });
      index++;
      continue;
    }
    const from = run.slice(index, index + found.length).join('');
    slots.push({ from, options: found.options, decoded: true, guessed: guessed !== undefined });
    index += found.length;
  }
  const chosen = chooseReadings(slots, before, after);
  const pieces: Piece[] = [];
  slots.forEach((slot, slotIndex) => {
    const last = pieces.at(-1);
    if (!slot.decoded) {
      if (last && last.to === undefined) last.from += slot.from;
      else pieces.push({ from: slot.from });
      return;
    }
    const to = chosen[slotIndex] ?? '';
    if (last && last.to !== undefined) {
      last.from += slot.from;
      last.to += to;
      if (slot.guessed) last.guessed = true;
    } else {
      pieces.push({ from: slot.from, to, ...(slot.guessed ? { guessed: true } : {}) });
    }
  });
  return pieces;
};

/**
 * The sequence at `index` with one lost byte, each way it could be filled in: marked lost (U+FFFD), or dropped
 * where the characters before it are certainly mojibake (`ðŸ` of an emoji, `â€` of punctuation, `ï¸` of a
 * variation selector). Lost bytes are always second-or-later bytes, as every lead byte exists in the code pages.
 */
const decodeWithLostByte = (
  bytes: readonly number[],
  index: number,
  page: CodePage,
): { options: string[]; length: number } | undefined => {
  if (page.lost.length === 0) return undefined;
  const lead = bytes[index] ?? 0;
  const length =
    lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 0;
  if (length === 0) return undefined;
  const isContinuation = (byte: number | undefined) => byte !== undefined && byte >= 0x80 && byte <= 0xbf;
  const tail = bytes.slice(index + 1, index + length);
  const fillings: number[][] = [];
  const lostAt = tail.indexOf(LOST);
  if (tail.length === length - 1 && lostAt >= 0 && tail.every((byte, at) => at === lostAt || isContinuation(byte))) {
    for (const byte of page.lost) fillings.push([lead, ...tail.map((old, at) => (at === lostAt ? byte : old))]);
    return readings(fillings, page, length);
  }
  let present = 0;
  while (present < length - 1 && isContinuation(tail[present])) present++;
  const second = bytes[index + 1];
  // A heart or other symbol that takes a variation selector: its lost byte may be the second (`â¤ï¸` for ❤️).
  const beforeSelector = lead === 0xe2 && bytes[index + 1 + present] === 0xef && bytes[index + 2 + present] === 0xb8;
  const certain =
    (lead === 0xf0 && second === 0x9f) ||
    (lead === 0xe2 && second === 0x80) ||
    (lead === 0xef && second === 0xb8) ||
    (lead === 0xf3 && second === 0xa0) ||
    beforeSelector;
  // A `?` where the byte should be is a byte replaced, not lost: it could have been any byte, so nothing is guessed.
  const replaced = bytes[index + 1 + present] === 0x3f;
  if (!certain || replaced || length < 3 || present !== length - 2) return undefined;
  const kept = [lead, ...tail.slice(0, present)];
  for (let at = beforeSelector ? 1 : 2; at < length; at++) {
    for (const byte of page.lost) fillings.push([...kept.slice(0, at), byte, ...kept.slice(at)]);
  }
  return readings(fillings, page, length - 1);
};

const readings = (
  fillings: number[][],
  page: CodePage,
  length: number,
): { options: string[]; length: number } | undefined => {
  const options = new Set<string>();
  for (const filling of fillings) {
    const text = decodeRoundTrip(Uint8Array.from(filling));
    // In the emoji planes only emoji and their parts are readings worth weighing (not alchemy or domino tiles).
    const astral = (text?.codePointAt(0) ?? 0) > 0xffff;
    if (text === undefined || !isPlausibleRepair(text, page)) continue;
    if (!astral || /\p{Extended_Pictographic}|\p{Emoji_Component}/u.test(text)) options.add(text);
  }
  return options.size === 0 ? undefined : { options: [...options], length };
};

/** How far (in sequences) an emoji sequence can reach: a family of four with joiners and tones. */
const REACH = 6;
/** Slots with several readings decided together (a joiner, the emoji after it, the next joiner). */
const TOGETHER = 3;
/** Rounds of improving the readings; each round can only raise the score, and two settle every case tried. */
const ROUNDS = 3;

/**
 * Picks one reading per slot. The readings start from a first guess (an emoji or emoji part where there is one)
 * and are improved in rounds: each slot with several readings, alone and together with the next such slot, takes
 * the readings that make the emoji around it hold together best (whole RGI emoji sequences: a skin tone after a
 * hand, a joiner between two people, a variation selector after a heart). A slot where another reading would do
 * as well is ambiguous: the closing quote (`â€` and a lost 0x9D) is the one real text produces; otherwise the
 * sequence is removed (empty).
 */
const chooseReadings = (slots: readonly Slot[], before: string, after: string): string[] => {
  const open = slots.flatMap((slot, index) => (slot.options.length > 1 ? [index] : []));
  const chosen = slots.map((slot) => (slot.options.length > 1 ? firstGuess(slot.options) : (slot.options[0] ?? '')));
  if (open.length === 0) return chosen;
  const scores = new Map<string, number>();
  const scoreAround = (at: number): number => {
    const low = Math.max(0, at - REACH);
    const high = Math.min(slots.length, at + REACH + 1);
    const text = (low === 0 ? before : '') + chosen.slice(low, high).join('') + (high === slots.length ? after : '');
    let score = scores.get(text);
    if (score === undefined) {
      score = emojiScore(text);
      scores.set(text, score);
    }
    return score;
  };
  for (let round = 0; round < ROUNDS; round++) {
    let improved = false;
    open.forEach((index, position) => {
      // A joiner with the emoji after it and the joiner after that: decided together, as none is clear alone.
      const partners = [index];
      for (const later of open.slice(position + 1, position + TOGETHER)) {
        if (later - (partners.at(-1) ?? index) > 2) break;
        partners.push(later);
      }
      let best = scoreAround(index);
      let bestReadings = partners.map((at) => chosen[at] ?? '');
      for (const readings of combinations(partners.map((at) => slots[at]?.options ?? []))) {
        partners.forEach((at, k) => {
          chosen[at] = readings[k] ?? '';
        });
        const score = scoreAround(index);
        if (score > best) {
          best = score;
          bestReadings = readings;
          improved = true;
        }
      }
      partners.forEach((at, k) => {
        chosen[at] = bestReadings[k] ?? '';
      });
    });
    if (!improved) break;
  }
  const decided = [...chosen];
  for (const index of open) {
    const current = decided[index] ?? '';
    const score = scoreAround(index);
    const equal = (slots[index]?.options ?? []).filter((option) => {
      if (option === current) return false;
      chosen[index] = option;
      const same = scoreAround(index) === score;
      chosen[index] = current;
      return same;
    });
    if (equal.length > 0) decided[index] = [current, ...equal].includes('\u201d') ? '\u201d' : '';
  }
  chosen.splice(0, chosen.length, ...decided);
  const text = chosen.join('');
  // A skin tone, joiner or variation selector whose emoji could not be told is removed with it.
  const covered = coveredUnits(before + text);
  let unit = before.length;
  return slots.map((slot, index) => {
    const value = chosen[index] ?? '';
    const dangling = [...value].every((char) => EMOJI_COMPONENT.test(char)) && !covered.has(unit);
    unit += value.length;
    return slot.guessed && value !== '' && dangling ? '' : value;
  });
};

/** Every way to take one item from each list. */
const combinations = (lists: readonly (readonly string[])[]): string[][] =>
  lists.reduce<string[][]>((done, list) => done.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]);

/** An emoji (or part of one) among the readings, since lost bytes come mostly from emoji; else the first. */
const firstGuess = (options: readonly string[]): string =>
  options.find((option) => /\p{Extended_Pictographic}/u.test(option)) ?? options[0] ?? '';

// A constructor, not a literal: the `v` flag needs an ES2024 target, and Node 20 runs it.
// biome-ignore lint/complexity/useRegexLiterals: see above
const RGI_EMOJI = new RegExp('\\p{RGI_Emoji}', 'gv');
/** Characters that only mean something inside an emoji sequence: joiner, variation selector, keycap, tone, tag. */
const EMOJI_COMPONENT = /[\u200d\ufe0f\u20e3\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]/u;

/** Code units of the text inside multi-character RGI emoji sequences. */
const coveredUnits = (text: string): Set<number> => {
  const covered = new Set<number>();
  for (const match of text.matchAll(RGI_EMOJI)) {
    if ([...match[0]].length < 2) continue;
    for (let unit = match.index; unit < match.index + match[0].length; unit++) covered.add(unit);
  }
  return covered;
};

/**
 * The square of each multi-character RGI emoji sequence's length (so one whole family outscores a person with a
 * skin tone beside a stray bear), less four for each component left outside a sequence.
 */
const emojiScore = (text: string): number => {
  let score = 0;
  const covered = new Set<number>();
  for (const match of text.matchAll(RGI_EMOJI)) {
    const length = [...match[0]].length;
    if (length < 2) continue;
    score += length * length;
    for (let unit = match.index; unit < match.index + match[0].length; unit++) covered.add(unit);
  }
  let unit = 0;
  for (const char of text) {
    if (!covered.has(unit) && EMOJI_COMPONENT.test(char)) score -= 4;
    unit += char.length;
  }
  return score;
};

// ignoreBOM keeps U+FEFF in the output instead of swallowing it, so a mis-read BOM (`ï»¿`) is recognised.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();

/** The character encoded by the UTF-8 sequence at `index` (and how many bytes it took), when it is a safe repair. */
const decodeSequenceAt = (
  bytes: readonly number[],
  index: number,
  page: CodePage,
): { text: string; length: number } | undefined => {
  const length = utf8SequenceLength(bytes, index);
  if (length >= 2) {
    const sequence = Uint8Array.from(bytes.slice(index, index + length));
    const text = decodeRoundTrip(sequence);
    if (text === undefined || !isPlausibleRepair(text, page)) return undefined;
    return { text: text === '\ufeff' ? '' : text, length };
  }
  return decodeLostAppleLogo(bytes, index, page);
};

/** Strict decode, kept only when encoding the result gives back exactly the same bytes. */
const decodeRoundTrip = (sequence: Uint8Array): string | undefined => {
  let text: string;
  try {
    text = strictUtf8.decode(sequence);
  } catch {
    return undefined;
  }
  const again = utf8.encode(text);
  return again.length === sequence.length && again.every((byte, i) => byte === sequence[i]) ? text : undefined;
};

/**
 * Mac Roman emoji whose first byte (0xF0, the Apple logo) was dropped on the way, e.g. `üòÖ` for 😅. Only the
 * second bytes of the emoji blocks qualify (flags, pictographs, skin tones, people, faces, supplemental), and
 * never 0x8D (`ç`), so Turkish `üçüncü` (ü, ç, ü) stays as it is.
 */
const decodeLostAppleLogo = (
  bytes: readonly number[],
  index: number,
  page: CodePage,
): { text: string; length: number } | undefined => {
  if (page.name !== 'macintosh' || bytes[index] !== 0x9f || bytes[index - 1] === 0xf0) return undefined;
  const second = bytes[index + 1] ?? 0;
  const emojiSecondBytes =
    second === 0x87 ||
    second === 0x8c ||
    (second >= 0x8e && second <= 0x93) ||
    (second >= 0x98 && second <= 0x9b) ||
    (second >= 0xa4 && second <= 0xa7);
  if (!emojiSecondBytes) return undefined;
  const sequence = Uint8Array.of(0xf0, 0x9f, second, bytes[index + 2] ?? 0);
  const text = decodeRoundTrip(sequence);
  return text === undefined ? undefined : { text, length: 3 };
};

/**
 * Whether a decoded character is something people write. Two-byte sequences are where real text collides with
 * mojibake (`Gruß“` is ß plus a curly quote, and also a valid NKo letter), so they must land in the scripts that
 * mojibake actually comes from: Latin, combining accents (decomposed é), Greek, Cyrillic, Armenian, Hebrew, Arabic.
 * Mac Roman gives its punctuation to lead bytes (`“über”`), so there only Latin and Greek qualify. Code points
 * unassigned in this runtime's Unicode tables never qualify.
 */
const isPlausibleRepair = (text: string, page: CodePage): boolean => {
  const code = text.codePointAt(0) ?? 0;
  if (/\p{Cn}/u.test(text)) return false;
  if (code < 0x800) {
    if (page.name === 'macintosh') return inRange(code, 0xa0, 0x17f) || inRange(code, 0x370, 0x3ff);
    return inRange(code, 0xa0, 0x23f) || inRange(code, 0x300, 0x33f) || inRange(code, 0x370, 0x6ff);
  }
  if (code < 0x10000) {
    const privateUse = inRange(code, 0xe000, 0xf8ff);
    const nonCharacter = inRange(code, 0xfdd0, 0xfdef) || code >= 0xfffe;
    return !privateUse && !nonCharacter;
  }
  // Emoji, historic scripts and rare CJK live in planes 1-3; plane 14 holds the tags of flag sequences and the
  // variation selectors; higher planes are unassigned or private use.
  return code <= 0x3ffff || inRange(code, 0xe0020, 0xe007f) || inRange(code, 0xe0100, 0xe01ef);
};

const inRange = (code: number, low: number, high: number): boolean => code >= low && code <= high;

const charsOf = (page: MojibakeEncoding, low: number, high: number): string =>
  [...(CODE_PAGES.find((candidate) => candidate.name === page)?.toByte ?? [])]
    .filter(([, byte]) => byte >= low && byte <= high)
    .map(([char]) => char)
    .join('');

const escapeClass = (chars: string): string => chars.replace(/[\\\]^-]/g, '\\$&');

/** Second-byte characters (0x80-0xBF) of each page, as regex class contents. */
const CONTINUATION_1252 = escapeClass(charsOf('windows-1252', 0x80, 0xbf) + charsOf('windows-1254', 0x80, 0xbf));
const CONTINUATION_MAC = escapeClass(charsOf('macintosh', 0x80, 0xbf));
const CONTINUATION_MAC_LETTERS = escapeClass(
  Array.from(charsOf('macintosh', 0x80, 0xbf))
    .filter((char) => !MAC_MATH_SIGNS.has(char))
    .join(''),
);

/**
 * What mojibake looks like when it could not be repaired: a classic lead character followed by a second-byte
 * character (or by U+FFFD, where a byte was lost), or the Mac Roman forms of the punctuation and emoji leads.
 */
const SUSPECT_PATTERN = new RegExp(
  [
    `[ÃÂâÄÅðğ][${CONTINUATION_1252}\\ufffd]`,
    '‚Ä',
    `√[${CONTINUATION_MAC_LETTERS}\\ufffd]`,
    `ƒ[${CONTINUATION_MAC}]`,
    'ü[òô]',
  ].join('|'),
  'gu',
);

const collectSuspects = (line: string, lineNumber: number, suspects: MojibakeSuspect[]): void => {
  const chars = Array.from(line);
  const offsets = new Map<number, number>();
  let codeUnits = 0;
  chars.forEach((char, index) => {
    offsets.set(codeUnits, index);
    codeUnits += char.length;
  });
  for (const match of line.matchAll(SUSPECT_PATTERN)) {
    const start = offsets.get(match.index) ?? 0;
    suspects.push({ line: lineNumber, sample: sampleAround(chars, start, start + Array.from(match[0]).length) });
  }
};

/** The match with up to six characters either side, so the author can find it. */
const sampleAround = (chars: readonly string[], start: number, end: number): string =>
  chars
    .slice(Math.max(0, start - 6), end + 6)
    .join('')
    .trim();

/** One suspect per line and sample: overlapping matches (`â€` inside `â€œ`) would otherwise repeat. */
const dedupeSuspects = (suspects: MojibakeSuspect[]): MojibakeSuspect[] => {
  const seen = new Set<string>();
  return suspects.filter((suspect) => {
    const key = `${suspect.line}\u0000${suspect.sample}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};
