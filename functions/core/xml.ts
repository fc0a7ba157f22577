/**
 * XML for the feeds and sitemaps: what XML 1.0 may carry, how text and attributes are escaped, and a small
 * element tree written out as a document.
 */
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

/** An element of a feed document: either text or children, never mixed (feeds need no mixed content). */
export interface XmlElement {
  name: string;
  attributes?: ReadonlyArray<readonly [name: string, value: string]>;
  text?: string;
  children?: ReadonlyArray<XmlElement>;
}

/** An element with text content, or nothing when the text is absent (optional fields read naturally). */
export const textElement = (
  name: string,
  text: string | undefined,
  attributes?: XmlElement['attributes'],
): XmlElement[] => (text === undefined ? [] : [{ name, text, ...(attributes ? { attributes } : {}) }]);

/**
 * Serialises a document with two-space indentation and a UTF-8 declaration. Attribute order is the order given, so
 * the same input always gives the same bytes.
 */
export const renderXmlDocument = (root: XmlElement): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n${renderElement(root, '')}\n`;

const renderElement = (element: XmlElement, indent: string): string => {
  const attributes = (element.attributes ?? []).map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`);
  const open = `${indent}<${element.name}${attributes.join('')}`;
  if (element.children && element.children.length > 0) {
    const inner = element.children.map((child) => renderElement(child, `${indent}  `)).join('\n');
    return `${open}>\n${inner}\n${indent}</${element.name}>`;
  }
  if (element.text === undefined || element.text === '') return `${open}/>`;
  return `${open}>${escapeXmlText(element.text)}</${element.name}>`;
};
