import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GoTemplateError } from '../../../../functions/core/posts/templating/go/values.ts';
import { expandHugoShortcodes } from '../../../../functions/core/posts/templating/hugo-shortcodes.ts';
import { HugoTemplateSession } from '../../../../functions/core/posts/templating/hugo-templates.ts';
import { MAX_SHORTCODE_DEPTH } from '../../../../functions/core/posts/templating/shortcode-syntax.ts';
import type { TemplateContext } from '../../../../functions/core/posts/templating/template-context.ts';

/*
 * Property: whatever a site's template does — loops over huge ranges, lists and strings doubled in a loop, text
 * repeated or padded to any size, partials and templates calling themselves, all of it nested at random — it either
 * completes or is refused with a GoTemplateError, having spent no more steps than its budget and written no more
 * than its output allowance. Steps are counted, never time, so the property
 * does not depend on the machine. A second property: shortcodes nested to any depth give output or one problem.
 */

const LIMITS = { steps: 20_000, output: 20_000, depth: 10 };

/** Pieces a template is made of, some harmless, some runaways; `BODY` is where the nested pieces go. */
const leaf = fc.oneof(
  fc.constant('text'),
  fc.constant('{{ $s = printf "%s%s" $s $s }}'),
  fc.constant('{{ $l = $l | append $l }}'),
  fc.constant('{{ $s = replace $s "a" "aa" }}'),
  fc.integer({ min: 0, max: 1_000_000_000 }).map((n) => `{{ strings.Repeat ${n} "ab" }}`),
  fc.integer({ min: 0, max: 1_000_000_000 }).map((n) => `{{ printf "%${n}d" 1 }}`),
  fc.integer({ min: 0, max: 100_000_000 }).map((n) => `{{ len (seq ${n}) }}`),
  fc.integer({ min: 0, max: 50 }).map((n) => `{{ partial "count" ${n} }}`),
  fc.constant('{{ partial "forever" . }}'),
  fc.constant('{{ template "self" . }}'),
  fc.constant('{{ len $l }}{{ len $s }}'),
  fc.constant('{{ $s }}'),
);

const template: fc.Arbitrary<string> = fc.letrec<{ piece: string }>((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(fc.integer({ min: 0, max: 100_000_000 }), fc.array(tie('piece'), { maxLength: 3 }))
      .map(([n, body]) => `{{ range ${n} }}${body.join('')}{{ end }}`),
    fc
      .tuple(fc.integer({ min: 0, max: 2000 }), fc.array(tie('piece'), { maxLength: 3 }))
      .map(([n, body]) => `{{ range seq ${n} }}${body.join('')}{{ end }}`),
    fc.array(tie('piece'), { maxLength: 3 }).map((body) => `{{ if true }}${body.join('')}{{ end }}`),
  ),
})).piece;

const CONTEXT: TemplateContext = {
  site: { baseUrl: 'https://notes.example/', title: 'Notes', description: '', iframeHosts: [] },
  pageTitle: 'A post',
  page: { sourcePath: '2024/a.md', params: {} },
  content: {
    params: {},
    jekyll: {},
    shortcodes: {},
    partials: {
      'count.html': '{{ if gt . 0 }}{{ partial "count" (sub . 1) }}{{ end }}.',
      'forever.html': '{{ partial "forever" . }}',
    },
  },
};

const PRELUDE = '{{ define "self" }}{{ template "self" . }}{{ end }}{{ $s := "ab" }}{{ $l := slice 1 }}';

const run = (source: string) => {
  const session = new HugoTemplateSession(CONTEXT, {}, LIMITS);
  const frame = { name: 'x', params: { named: new Map(), positional: [] }, ordinal: 0, line: 1 };
  try {
    const text = session.renderShortcode(frame, 'layouts/shortcodes/x.html', PRELUDE + source);
    return { text, error: undefined, budget: session.budget };
  } catch (error) {
    return { text: undefined, error, budget: session.budget };
  }
};

describe('a post’s templates under their budget', () => {
  it('complete or are refused, within their steps and output', () => {
    fc.assert(
      fc.property(template, (source) => {
        // Act
        const outcome = run(source);
        // Assess
        if (outcome.error !== undefined) expect(outcome.error).toBeInstanceOf(GoTemplateError);
        expect(outcome.budget.steps).toBeLessThanOrEqual(LIMITS.steps);
        expect(outcome.budget.output).toBeLessThanOrEqual(LIMITS.output);
        expect(outcome.text?.length ?? 0).toBeLessThanOrEqual(LIMITS.output);
        expect(outcome.budget.depth).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('end the same way every time', () => {
    fc.assert(
      fc.property(template, (source) => {
        // Act
        const first = run(source);
        const second = run(source);
        // Assess
        expect([second.text, String(second.error), second.budget.steps]).toEqual([
          first.text,
          String(first.error),
          first.budget.steps,
        ]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('shortcodes nested to any depth', () => {
  it('expand, or are refused with one problem', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), (depth) => {
        // Prepare
        const body = `${'{{< n >}}'.repeat(depth)}x${'{{< /n >}}'.repeat(depth)}`;
        const context = {
          ...CONTEXT,
          content: { ...(CONTEXT.content ?? CONTEXT), shortcodes: { n: '<b>{{ .Inner }}</b>' } },
        };
        // Act
        const result = expandHugoShortcodes(body, context as TemplateContext, []);
        // Assess
        if (depth <= MAX_SHORTCODE_DEPTH) {
          expect(result.problems).toEqual([]);
          expect(result.markdown).toBe(`${'<b>'.repeat(depth)}x${'</b>'.repeat(depth)}`);
        } else {
          expect(result.problems).toHaveLength(1);
          expect(result.problems[0]?.severity).toBe('error');
        }
      }),
      { numRuns: 60 },
    );
  });
});
