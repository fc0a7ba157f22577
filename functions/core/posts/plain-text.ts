import { htmlToText } from './sanitize.ts';

/** An element, a closing tag or a comment: markup in a field that is meant to be text. */
const MARKUP = /<(?:[a-z][\w-]*(?:[\s/>]|$)|\/[a-z][\w-]*\s*>|!--)/i;

/**
 * A plain-text field (a title, a description) without the HTML in it, as jekyll-feed's strip_html leaves it:
 * tags go, script and style go with their content, entities are decoded. Text without markup is returned as it
 * is, so `A < B` and `AT&T` stay. `changed` says whether anything was removed, for the author's warning.
 * @example stripMarkup('<script>x()</script>Hostile <b>title</b>') // { text: 'Hostile title', changed: true }
 */
export const stripMarkup = (text: string): { text: string; changed: boolean } => {
  if (!MARKUP.test(text)) return { text, changed: false };
  const stripped = htmlToText(text);
  return { text: stripped, changed: stripped !== text };
};
