import { describe, expect, it } from 'vitest';
import {
  executeTemplate,
  TemplateBudget,
  type TemplateFunction,
} from '../../../../../functions/core/posts/templating/go/execute.ts';
import { parseGoTemplate } from '../../../../../functions/core/posts/templating/go/parse.ts';
import {
  GoNil,
  GoStruct,
  GoTemplateError,
  GoTemplateLimitError,
  SafeHtml,
} from '../../../../../functions/core/posts/templating/go/values.ts';

/*
 * The Go template evaluator on its own, with a few plain functions: the grammar and semantics of text/template (as
 * Hugo 0.111's Go 1.20 runs them), html/template's escaping of printed values, and the budget that stops a runaway.
 */

const FUNCTIONS: Record<string, TemplateFunction> = {
  upper: (value) => String(value).toUpperCase(),
  join: (...parts) => parts.join('-'),
  fail: () => {
    throw new GoTemplateError('fail was called');
  },
  eq: (a, b) => a === b,
  list: (...items) => items,
  'text.Repeat': (count, value) => String(value).repeat(Number(count)),
};

const names = {
  has: (name: string) => name in FUNCTIONS || name === 'and' || name === 'or',
  isNamespace: (name: string) => name === 'text',
};

const render = (source: string, data: unknown = {}, budget = new TemplateBudget(), mode?: 'text'): string =>
  executeTemplate(parseGoTemplate(source, names), data, { functions: FUNCTIONS, budget, ...(mode ? { mode } : {}) })
    .text;

describe('the evaluator', () => {
  it.each([
    ['{{ .a }}|{{ .safe }}|{{ .missing }}', '&lt;x&gt; &#43;|<i>s</i>|'],
    ['a {{- " b " -}} c {{ "d" -}}  e', 'a b c de'],
    ['{{/* note */}}x{{- /* trimmed */ -}} y', 'xy'],
    ['{{ if .no }}1{{ else if .a }}2{{ else }}3{{ end }}', '2'],
    ['{{ with .no }}1{{ else }}2{{ end }}{{ with .a }}[{{ . }}]{{ end }}', '2[&lt;x&gt; &#43;]'],
    ['{{ range $i, $e := .list }}{{ $i }}={{ $e }};{{ end }}', '0=a;1=b;'],
    ['{{ range $k, $v := .map }}{{ $k }}{{ $v }}{{ end }}', 'a1b2'],
    ['{{ range .none }}x{{ else }}empty{{ end }}', 'empty'],
    ['{{ range .list }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', 'a'],
    ['{{ $n := "" }}{{ range .list }}{{ $n = join $n . }}{{ end }}{{ $n }}', '-a-b'],
    ['{{ "x" | join "a" "b" }}|{{ (list 1 2) | len }}', 'a-b-x|2'],
    ['{{ and false (fail) }}|{{ or "y" (fail) }}', 'false|y'],
    ['{{ (index .rows 0).name }}', 'first'],
    ['{{ define "row" }}<{{ . }}>{{ end }}{{ template "row" "<x>" }}', '<&lt;x&gt;>'],
    ['{{ .page.Title }} {{ .page.Greet "Ada" }}', 'Notes Hello, Ada'],
    ['{{ text.Repeat 2 "ab" }}', 'abab'],
    ['{{ \'a\' }} {{ 0x1F }} {{ 1e3 }} {{ 2.0 }} {{ -5 }} {{ "\\u00e9" }}', '97 31 1000 2 -5 é'],
  ])('runs %s', (source, expected) => {
    // Prepare
    const data = {
      a: '<x> +',
      safe: new SafeHtml('<i>s</i>'),
      list: ['a', 'b'],
      map: { b: 2, a: 1 },
      rows: [{ name: 'first' }],
      page: new GoStruct('page.Page', { Title: 'Notes', Greet: (name: unknown) => `Hello, ${String(name)}` }),
    };
    const functions = {
      ...FUNCTIONS,
      index: (list: unknown, at: unknown) => (list as unknown[])[Number(at)],
      len: (list: unknown) => (list as unknown[]).length,
    };
    const withIndex = {
      has: (name: string) => names.has(name) || name === 'index' || name === 'len',
      isNamespace: names.isNamespace,
    };
    // Act
    const out = executeTemplate(parseGoTemplate(source, withIndex), data, {
      functions,
      budget: new TemplateBudget(),
    }).text;
    // Assess
    expect(out).toBe(expected);
  });

  it('keeps a variable declared inside a block to that block', () => {
    // Prepare, Act, Assess
    expect(() => render('{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}')).toThrow(/undefined variable: \$x/);
  });

  it('prints what text/template prints for a missing value when asked for text', () => {
    // Prepare, Act, Assess
    expect(render('Hello {{ .Name }} {{ "<b>" }}', {}, new TemplateBudget(), 'text')).toBe('Hello <no value> <b>');
  });

  it.each([
    ['{{ .page.Nope }}', /can't evaluate field Nope in type page.Page/],
    ['{{ .page.Title "x" }}', /is not a method but has arguments/],
    ['{{ .nil.Name }}', /nil pointer evaluating resource.Resource.Name \(no match\)/],
    ['{{ "x" 1 }}', /can't give argument to non-function x/],
    ['line one\n{{ fail }}', /fail was called/],
  ])('refuses %s with an error naming the problem', (source, message) => {
    // Prepare
    const data = {
      page: new GoStruct('page.Page', { Title: 'T' }),
      nil: new GoNil('resource.Resource', '', 'no match'),
    };
    // Act
    const run = () => render(source, data);
    // Assess
    expect(run).toThrow(message);
  });

  it('names the line of a failing action', () => {
    // Prepare
    let line: number | undefined;
    // Act
    try {
      render('one\ntwo\n{{ fail }}');
    } catch (error) {
      line = (error as GoTemplateError).line;
    }
    // Assess
    expect(line).toBe(3);
  });

  it.each([
    ['{{ nosuch 1 }}', /function "nosuch" not defined/],
    ['{{ if false }}{{ nosuch }}{{ end }}', /function "nosuch" not defined/],
    ['{{ if true }}x', /never closed with \{\{ end \}\}/],
    ['{{ end }}', /unexpected \{\{ end \}\}/],
    ['{{ ( }}', /unclosed "\("/],
    ['{{ 1 | }}', /missing command after "\|"/],
  ])('refuses %s before running anything, as Hugo refuses the template', (source, message) => {
    // Prepare, Act, Assess
    expect(() => parseGoTemplate(source, names)).toThrow(message);
  });

  it('finds an unknown function of a known namespace only when the template reaches it, as Hugo does', () => {
    // Prepare
    const parsed = parseGoTemplate('{{ if .go }}{{ text.Nope }}{{ end }}', names);
    const run = (go: boolean) =>
      executeTemplate(parsed, { go }, { functions: FUNCTIONS, budget: new TemplateBudget() }).text;
    // Act, Assess
    expect(run(false)).toBe('');
    expect(() => run(true)).toThrow(/function "text.Nope" not defined/);
  });

  it('gives the value of {{ return }} to its caller, as a partial returns', () => {
    // Prepare, Act
    const executed = executeTemplate(
      parseGoTemplate('ignored {{ return .n }}', names),
      { n: 41 },
      {
        functions: FUNCTIONS,
        budget: new TemplateBudget(),
      },
    );
    // Assess
    expect(executed.returned).toEqual({ value: 41 });
  });
});

describe('the budget', () => {
  const small = () => new TemplateBudget({ steps: 10_000, output: 5_000, depth: 8 });

  it('stops a loop over a huge range after spending its steps, allocating nothing', () => {
    // Prepare
    const budget = small();
    // Act
    const run = () => render('{{ range 100000000 }}x{{ end }}', {}, budget);
    // Assess
    expect(run).toThrow(GoTemplateLimitError);
    expect(budget.steps).toBeLessThanOrEqual(10_000);
  });

  it('stops output that grows past its allowance', () => {
    // Prepare
    const budget = small();
    // Act
    const run = () =>
      render('{{ range .list }}{{ text.Repeat 100 "y" }}{{ end }}', { list: Array(100).fill(0) }, budget);
    // Assess
    expect(run).toThrow(/wrote more than 5,000 characters/);
  });

  it('stops a template that calls itself', () => {
    // Prepare
    const budget = small();
    // Act
    const run = () => render('{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" . }}', {}, budget);
    // Assess
    expect(run).toThrow(/more than 8 deep/);
    expect(budget.depth).toBe(0);
  });

  it('refuses parentheses nested deeper than the parser follows', () => {
    // Prepare
    const source = `{{ ${'('.repeat(1000)}1${')'.repeat(1000)} }}`;
    // Act, Assess
    expect(() => parseGoTemplate(source, names)).toThrow(GoTemplateLimitError);
  });

  it('shares one allowance between the templates of a post', () => {
    // Prepare
    const budget = small();
    const template = '{{ range 6000 }}{{ end }}';
    // Act
    render(template, {}, budget);
    const second = () => render(template, {}, budget);
    // Assess
    expect(second).toThrow(GoTemplateLimitError);
  });
});
