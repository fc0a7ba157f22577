/**
 * Text written where feed readers expect HTML. What may appear in XML at all, and how it is escaped, is in ../xml.ts.
 */
import { textParagraphs } from '../text-format.ts';
import { escapeXmlText } from '../xml.ts';

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
