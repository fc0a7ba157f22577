import type { SiteConfig } from '../types.ts';
import { findCodeLines } from './markdown.ts';
import { expandHugoShortcodes } from './templating/hugo-shortcodes.ts';
import { type LiquidPage, renderJekyllLiquid } from './templating/jekyll-liquid.ts';
import type { BodyProblem, TemplateContext } from './templating/template-context.ts';

/**
 * Hugo shortcodes and Jekyll Liquid, expanded in the Markdown source before it is rendered. Only what a newsletter
 * post needs is supported; anything else is reported, and never left in the output as template text.
 * Code (fenced and indented blocks, inline code spans) is an example and is left exactly as written.
 */

export type ShortcodeContext = TemplateContext & {
  site: Pick<SiteConfig, 'baseUrl' | 'title' | 'description' | 'iframeHosts'>;
};

export type { BodyProblem };

/**
 * Expands shortcodes and Liquid in a post body: Hugo's grammar where the body has Hugo shortcodes, Jekyll's Liquid
 * otherwise, and nothing at all for a Hugo post without shortcodes (Hugo runs no template over content).
 * @example expandShortcodes('{{< img src="a.png" alt="A" >}}', context).markdown // '<img src="a.png" alt="A">'
 */
export const expandShortcodes = (
  body: string,
  context: ShortcodeContext,
  page: LiquidPage & {
    dialect?: 'hugo' | 'jekyll';
    /**
     * The post belongs to a Hugo or Jekyll site: do what its generator does, which expands shortcodes and Liquid
     * inside code too (authors show them as text with the shortcode comment form and `{% raw %}`), and keep
     * `{{< >}}` output
     * out of the Markdown until it is rendered (`deferred`, filled in by insertDeferred). Otherwise code is left
     * exactly as written, which is what an author writing for this publisher expects.
     */
    asGenerator?: boolean;
  } = {},
): { markdown: string; problems: BodyProblem[]; deferred: Record<string, string> } => {
  const none = { markdown: body, problems: [], deferred: {} };
  // Most posts have neither shortcodes nor Liquid; finding code lines would cost them a full Markdown parse.
  if (!body.includes('{{') && !body.includes('{%')) return none;
  const isHugo = body.includes('{{<') || body.includes('{{%');
  if (!isHugo && page.dialect === 'hugo') return none;
  if (page.asGenerator) {
    if (isHugo) return expandHugoShortcodes(body, context, [], page, { deferHtml: true });
    return { ...renderJekyllLiquid(body, context, [], page), deferred: {} };
  }
  // Liquid blocks whose text is not Markdown (a highlight may hold a fence line) are blanked before finding code.
  const forCode = isHugo
    ? body
    : body.replace(/\{%-?\s*(highlight|raw|comment)\b[\s\S]*?\{%-?\s*end\1\s*-?%\}/g, (block) =>
        block.replace(/[^\n]/g, ' '),
      );
  const spans = [...forCode.matchAll(/(`+)[^`]*?\1(?!`)/g)].map((m): [number, number] => [
    m.index,
    m.index + m[0].length,
  ]);
  const codeRanges = [...codeRangesOf(forCode, findCodeLines(forCode)), ...spans];
  // Hugo posts go through Hugo's own grammar; Hugo runs no Liquid, so their other braces stay text.
  if (isHugo) return expandHugoShortcodes(body, context, codeRanges, page);
  return { ...renderJekyllLiquid(body, context, codeRanges, page), deferred: {} };
};

/** Offsets [start, end) of the lines in `lines`, merged where they touch. */
const codeRangesOf = (body: string, lines: ReadonlySet<number>): [number, number][] => {
  const ranges: [number, number][] = [];
  let offset = 0;
  body.split('\n').forEach((line, index) => {
    const end = offset + line.length + 1;
    if (lines.has(index)) {
      const last = ranges.at(-1);
      if (last && last[1] === offset) last[1] = end;
      else ranges.push([offset, end]);
    }
    offset = end;
  });
  return ranges;
};
