import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShortcodes, type ShortcodeNode } from '../../../../functions/core/posts/templating/shortcode-syntax.ts';

/*
 * Properties of Hugo's shortcode grammar as parseShortcodes reads it: whatever the layout (parameters on one line
 * or spread over several, values quoted, raw or bare), a call gives back its name and parameters (names lower-cased,
 * as Hugo keeps them); paired calls nest;
 * and text around them is never taken for a shortcode.
 */

const NAME = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const KEY = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/);
/** Any value without a backtick can be written raw; any value at all can be written quoted, escaping `"` and `\`. */
const VALUE = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((value) => !value.includes('`'));
const SPACE = fc.constantFrom(' ', '  ', '\n', '\n  ', ' \n\t');

const writeValue = (value: string, style: 'quoted' | 'raw' | 'bare'): string => {
  if (style === 'raw') return `\`${value}\``;
  if (style === 'bare' && /^[\w./-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
};

const call = fc.record({
  name: NAME,
  params: fc.uniqueArray(
    fc.tuple(KEY, VALUE, fc.constantFrom('quoted', 'raw', 'bare') as fc.Arbitrary<'quoted' | 'raw' | 'bare'>),
    {
      selector: ([key]) => key.toLowerCase(),
      maxLength: 4,
    },
  ),
  spaces: fc.array(SPACE, { minLength: 6, maxLength: 6 }),
  delimiter: fc.constantFrom('<', '%') as fc.Arbitrary<'<' | '%'>,
});

const calls = (nodes: readonly ShortcodeNode[]): ShortcodeNode[] =>
  nodes.flatMap((node) => [node, ...(node.kind === 'call' ? calls(node.inner?.children ?? []) : [])]);

describe('parseShortcodes properties', () => {
  it('reads back the name and named parameters of a call, however it is laid out', () => {
    fc.assert(
      fc.property(
        call,
        fc.string({ maxLength: 10 }).filter((text) => !text.includes('{{')),
        (spec, text) => {
          // Prepare
          const [a = ' ', b = ' ', c = ' '] = spec.spaces;
          const params = spec.params.map(([key, value, style]) => `${key}=${writeValue(value, style)}`).join(b);
          const close = spec.delimiter === '<' ? '>}}' : '%}}';
          const source = `${text}{{${spec.delimiter}${a}${spec.name}${params === '' ? '' : b + params}${c}${close}${text}`;
          // Act
          const parsed = parseShortcodes(source);
          // Assess
          expect(parsed.problems).toEqual([]);
          expect(parsed.nodes).toHaveLength(1);
          const node = parsed.nodes[0];
          expect(node?.kind).toBe('call');
          if (node?.kind !== 'call') return;
          expect(node.name).toBe(spec.name);
          expect(Object.fromEntries(node.params.named)).toEqual(
            Object.fromEntries(spec.params.map(([k, v]) => [k.toLowerCase(), v])),
          );
          expect(source.slice(node.start, node.end)).toMatch(/^\{\{[<%][\s\S]*[>%]\}\}$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pairs nested calls with their closing tags, innermost first', () => {
    fc.assert(
      fc.property(fc.array(NAME, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 8 }), (names, text) => {
        // Prepare
        const clean = text.replace(/[{}<>%]/g, '');
        const source =
          names.map((name) => `{{< ${name} >}}${clean}`).join('') +
          [...names]
            .reverse()
            .map((name) => `{{< /${name} >}}`)
            .join('');
        // Act
        const parsed = parseShortcodes(source);
        // Assess
        expect(parsed.problems).toEqual([]);
        const found = calls(parsed.nodes).map((node) => (node.kind === 'call' ? node.name : ''));
        expect(found).toEqual(names);
        expect(calls(parsed.nodes).every((node) => node.kind === 'call' && node.inner !== undefined)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('finds nothing in text without a shortcode opening', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }).filter((text) => !/\{\{\s*[<%]/.test(text)),
        (text) => {
          // Act
          const parsed = parseShortcodes(text);
          // Assess
          expect(parsed.nodes).toEqual([]);
          expect(parsed.problems).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
