/**
 * Text hygiene shared by the feed writers: what may appear in a feed, and how it is escaped in XML.
 */
import { textParagraphs } from './page-format.ts';

// XML 1.0 `Char` excludes C0 controls other than tab, newline and carriage return, the non-characters U+FFFE and
// U+FFFF, and unpaired surrogates (which cannot be encoded in UTF-8 at all). One stray byte of these in a post makes
// the whole feed unreadable for strict readers, so they go from every string before any format sees it.
const NOT_XML_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are removed.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Removes characters that XML 1.0 cannot carry (C0 controls except tab and newline, U+FFFE/U+FFFF, lone surrogates).
 * Carriage returns become newlines first: XML parsers normalise them that way anyway, so every format agrees.
 * @example stripControlCharacters('a\u0001b\r\nc') // 'ab\nc'
 */
export const stripControlCharacters = (text: string): string => text.replace(/\r\n?/g, '\n').replace(NOT_XML_CHARS, '');

/** Escapes character data for an element's text. `>` too, so `]]>` can never appear in content. */
export const escapeXmlText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Escapes an attribute value for double quotes. Tab and newline become character references because parsers
 * otherwise normalise them to spaces inside attributes, and a category term would not read back as written.
 */
export const escapeXmlAttribute = (value: string): string =>
  escapeXmlText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');

/**
 * Plain text written where readers expect HTML (the RSS description, an Atom summary of type html): the same three
 * escapes make it HTML text, so `<script>` in a summary is read as words, never as markup.
 */
export const textAsHtml = (text: string): string => {
  const paragraphs = textParagraphs(text);
  // A summary keeps the blank lines between the paragraphs it was cut from; in HTML they become paragraphs.
  if (paragraphs.length < 2) return escapeXmlText(text);
  return paragraphs.map((paragraph) => `<p>${escapeXmlText(paragraph)}</p>`).join('');
};
