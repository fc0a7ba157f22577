/**
 * Embedded players where they cannot play. Mail apps remove iframes, video and audio; feed readers run iframes
 * only at a risk (the W3C validator's SecurityRisk) and many drop them. Each becomes a link to what it showed.
 */

const FRAME = /<iframe\b([^>]*)>([\s\S]*?)<\/iframe>/gi;
const EMBED = /<(?:iframe|video|audio)\b([^>]*)>([\s\S]*?)<\/(?:iframe|video|audio)>/gi;

/** The sanitizer writes double-quoted attribute values, already escaped. */
const attribute = (attributes: string, name: string): string | undefined =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(attributes)?.[1];

const asLink = (_: string, attributes: string, inner: string): string => {
  const src = attribute(attributes, 'src') ?? attribute(inner, 'src');
  if (src === undefined) return '';
  const title = attribute(attributes, 'title');
  return `<p><a href="${src}">${title ?? src}</a></p>`;
};

/** Iframes as links (for feeds, where video and audio elements are fine). */
export const framesAsLinks = (html: string): string => html.replace(FRAME, asLink);

/** Iframes, video and audio as links (for mail). */
export const embedsAsLinks = (html: string): string => html.replace(EMBED, asLink);
