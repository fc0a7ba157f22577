import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJekyllLiquid } from '../../../../functions/core/posts/templating/jekyll-liquid.ts';
import { DEFAULT_LIQUID_LIMITS, type LiquidLimits } from '../../../../functions/core/posts/templating/liquid-limits.ts';
import type { TemplateContext } from '../../../../functions/core/posts/templating/template-context.ts';

/*
 * Every budget here is counted, not timed, except the wall-clock backstop: the tests give that one a minute, far
 * more than any case takes, so what is refused never depends on the machine's speed. No test reads a clock.
 */

const SMALL: LiquidLimits = {
  parseCharacters: 20_000,
  memoryUnits: 20_000,
  renderSteps: 20_000,
  outputCharacters: 20_000,
  includeDepth: 8,
  renderMilliseconds: 60_000,
};

const context = (includes: Record<string, string> = {}): TemplateContext => ({
  site: { baseUrl: 'https://news.example/', title: 'Notes', description: '', iframeHosts: [] },
  pageTitle: 'A post',
  page: { sourcePath: '_posts/2024-03-01-a.md', params: {} },
  content: { params: {}, jekyll: {}, shortcodes: {}, includes },
});

const render = (body: string, includes: Record<string, string> = {}, limits = SMALL) =>
  renderJekyllLiquid(body, context(includes), [], {}, limits);

const errorsOf = (result: ReturnType<typeof render>) => result.problems.filter((p) => p.severity === 'error');

describe('renderJekyllLiquid: what one post’s Liquid may cost', () => {
  it.each([
    [
      'a loop over a huge range',
      '{% for i in (1..100000000) %}x{% endfor %}',
      {},
      /ranges and filters build more than 10,000,000/,
    ],
    [
      'a string doubled again and again',
      '{% assign s = "ab" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
      {},
      /more than 10,000,000 items or characters/,
    ],
    [
      'an include that includes itself',
      'Intro\n\n{% include loop.html %}',
      { 'loop.html': 'x{% include loop.html %}' },
      /includes go more than 100 deep \(loop\.html/,
    ],
  ])('rejects %s under the default budgets, with an error on its line', (_name, body, includes, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = render(body, includes, { ...DEFAULT_LIQUID_LIMITS, renderMilliseconds: 60_000 });
    // Assess
    expect(errorsOf(result)).toHaveLength(1);
    expect(errorsOf(result)[0]?.message).toMatch(message);
    expect(errorsOf(result)[0]?.line).toBe(body.split('\n').length);
    expect(result.markdown).toBe(body);
  });

  it.each([
    ['parseCharacters', `${'x'.repeat(20_001)}{{ x }}`, {}, /hold more than 20,000 characters of Liquid/],
    ['memoryUnits', '{% for i in (1..20001) %}{% endfor %}', {}, /build more than 20,000 items/],
    [
      'renderSteps',
      '{% for i in (1..200) %}{% for j in (1..200) %}{% endfor %}{% endfor %}',
      {},
      /more than 20,000 steps/,
    ],
    [
      'outputCharacters',
      '{% capture s %}{% for i in (1..5000) %}abcde{% endfor %}{% endcapture %}',
      {},
      /writes more than 20,000 characters/,
    ],
    [
      'includeDepth',
      '{% include a.html %}',
      { 'a.html': '{% include b.html %}', 'b.html': '{% include a.html %}' },
      /more than 8 deep/,
    ],
    [
      'includeDepth, through a tag template',
      '{% ghi 1 %}',
      { 'tags/ghi.html': '{% ghi 2 %}' },
      /more than 8 deep \(tags\/ghi\.html/,
    ],
  ])('names the %s budget when it runs out', (_name, body, includes, message) => {
    // Prepare: nothing beyond the table row.
    // Act
    const result = render(body, includes);
    // Assess
    expect(errorsOf(result).map((problem) => problem.message)).toEqual([expect.stringMatching(message)]);
    expect(errorsOf(result)[0]?.fix).toMatch(/budget/);
  });

  it('hands liquidjs the wall-clock backstop (one already spent refuses at once)', () => {
    // Prepare
    const spent = { ...SMALL, renderMilliseconds: -1 };
    // Act
    const result = render('{{ "x" }}', {}, spent);
    // Assess
    expect(errorsOf(result)[0]?.message).toMatch(/takes longer than -1 ms to render/);
  });

  it('publishes Liquid well within its budgets', () => {
    // Prepare
    const body = '{% for i in (1..50) %}{% include row.html n=i %}{% endfor %}';
    // Act
    const result = render(body, { 'row.html': '{{ include.n }},' });
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.markdown.split(',')).toHaveLength(51);
  });
});

/*
 * Property: any template, however it loops, doubles, captures and includes, is either rendered within its budgets
 * (its output no longer than the output budget) or refused with an error; nothing throws, and the outcome is the
 * same every time, since it depends on counted budgets only.
 */
describe('renderJekyllLiquid: any template completes or is refused within its budgets', () => {
  const count = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2_000_000_000 }));
  const template = fc.letrec<{ node: string; nodes: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('x', 'ab ', '\n', '- item\n', '{{ s }}', '{{ i }}', '{% ghi 7 %}', '{% include a.html %}'),
      fc.constantFrom(
        '{% assign s = s | append: s %}',
        '{% assign s = "abcd" %}',
        '{% assign parts = s | split: "" %}',
        '{{ s | append: s | size }}',
      ),
      fc.tuple(count, tie('nodes')).map(([n, inner]) => `{% for i in (1..${n}) %}${inner}{% endfor %}`),
      tie('nodes').map((inner) => `{% for c in parts %}${inner}{% endfor %}`),
      tie('nodes').map((inner) => `{% capture s %}${inner}{% endcapture %}`),
      tie('nodes').map((inner) => `{% if i > 2 %}${inner}{% else %}y{% endif %}`),
    ),
    nodes: fc.array(tie('node'), { maxLength: 4 }).map((nodes) => nodes.join('')),
  })).nodes;

  // Tighter than SMALL, so that loops run out of steps and output as often as ranges run out of memory.
  const budgets = { ...SMALL, renderSteps: 2_000, outputCharacters: 2_000 };

  it('holds for generated templates, includes and tag templates', () => {
    fc.assert(
      fc.property(template, template, template, (body, include, tagTemplate) => {
        // Prepare
        const includes = { 'a.html': include, 'tags/ghi.html': tagTemplate };
        // Act
        const first = render(`{% assign s = "ab" %}${body}`, includes, budgets);
        const again = render(`{% assign s = "ab" %}${body}`, includes, budgets);
        // Assess
        expect(again).toEqual(first);
        const errors = errorsOf(first);
        if (errors.length === 0) expect(first.markdown.length).toBeLessThanOrEqual(SMALL.outputCharacters);
        else
          expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/Liquid in this post/) })]);
      }),
      { numRuns: 300 },
    );
  });
});
