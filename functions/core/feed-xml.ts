import { escapeXmlAttribute, escapeXmlText } from './feed-text.ts';

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
