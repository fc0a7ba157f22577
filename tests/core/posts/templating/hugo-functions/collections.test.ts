import { describe, expect, it } from 'vitest';
import { TemplateBudget } from '../../../../../functions/core/posts/templating/go/execute.ts';
import { GoTemplateLimitError } from '../../../../../functions/core/posts/templating/go/values.ts';
import { renderWithFunctions } from './render.ts';

/* Hugo's collections namespace; expected values printed by Hugo 0.111.3. */

describe('collections functions', () => {
  it.each([
    [
      '{{ seq 3 }}|{{ seq -3 }}|{{ seq 2 5 }}|{{ seq 1 2 9 }}|{{ seq 5 2 }}|{{ seq 0 }}|{{ len (seq 2000) }}',
      '[1 2 3]|[-1 -2 -3]|[2 3 4 5]|[1 3 5 7 9]|[5 4 3 2]|[]|2000',
    ],
    [
      '{{ first 2 (slice 1 2 3) }}|{{ last 2 (slice 1 2 3) }}|{{ after 1 (slice 1 2 3) }}|{{ first 5 (slice 1 2) }}|{{ after 5 (slice 1 2) }}|{{ first 0 (slice 1 2) }}',
      '[1 2]|[2 3]|[2 3]|[1 2]|[]|[]',
    ],
    [
      '{{ index (slice 1 2 3) 1 }}|{{ index (dict "a" (dict "b" 9)) "a" "b" }}|{{ index (dict "a" 1) "b" | printf "%T" }}|{{ in (slice 1 2) 2 }}|{{ in "abc" "b" }}|{{ in (slice "1") 1 }}|{{ in (slice 1 2) 1.0 }}',
      '2|9|&lt;nil&gt;|true|true|false|true',
    ],
    [
      '{{ isset (dict "a" nil) "a" }}|{{ isset (slice 1 2) 1 }}|{{ isset (slice 1 2) 5 }}|{{ len "héllo" }}|{{ len (dict "a" 1) }}',
      'true|true|false|6|1',
    ],
    [
      '{{ uniq (slice 1 2 1 3 2) }}|{{ union (slice 1 2) (slice 2 3) }}|{{ intersect (slice 1 2 3) (slice 2 3 4) }}|{{ complement (slice 1 2) (slice 1 2 3 4) }}|{{ symdiff (slice 1 2) (slice 2 3) }}',
      '[1 2 3]|[1 2 3]|[2 3]|[3 4]|[3 1]',
    ],
    [
      '{{ append 3 (slice 1 2) }}|{{ append (slice 3 4) (slice 1 2) }}|{{ slice 1 2 | append 5 }}',
      '[1 2 3]|[1 2 3 4]|[1 2 5]',
    ],
    [
      '{{ sort (slice 3 1 2) }}|{{ sort (slice "b" "a" "C") }}|{{ sort (slice "b" "10" "9" "a") }}|{{ sort (slice 3 1 2) "value" "desc" }}|{{ sort (dict "b" 2 "a" 1 "c" 0) }}',
      '[1 2 3]|[a b C]|[a b 9 10]|[3 2 1]|[1 2 0]',
    ],
    ['{{ range sort (slice (dict "a" 2 "t" "x") (dict "a" 1 "t" "y")) "a" "desc" }}{{ .t }}{{ end }}', 'xy'],
    [
      '{{ delimit (slice 1 2 3) ", " }}|{{ delimit (slice 1 2 3) ", " " and " }}|{{ delimit (dict "b" 2 "a" 1) "-" }}|{{ delimit (slice "<a>" "b") "," }}',
      '1, 2, 3|1, 2 and 3|1-2|<a>,b',
    ],
    [
      '{{ querify "b" 2 "a" "x y" }}|{{ dict "a" (slice 1) "b" (dict "c" true) }}|{{ dict (slice "x" "y") 1 }}',
      'a=x&#43;y&amp;b=2|map[a:[1] b:map[c:true]]|map[x:map[y:1]]',
    ],
    ['{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "b" 2 "n" (dict "y" 2)) }}', 'map[a:1 b:2 n:map[x:1 y:2]]'],
    [
      '{{ range where (slice (dict "k" 1) (dict "k" 2) (dict "k" 3)) "k" ">=" 2 }}{{ .k }}{{ end }}|{{ range where (slice (dict "k" "a") (dict "k" "b")) "k" "b" }}{{ .k }}{{ end }}|{{ range where (slice (dict "k" 1) (dict "k" 2)) "k" "in" (slice 2 3) }}{{ .k }}{{ end }}|{{ range where (slice (dict "k" 1) (dict "k" 2)) "k" "!=" 2 }}{{ .k }}{{ end }}',
      '23|b|2|1',
    ],
    [
      '{{ range where (slice (dict "a" (dict "b" 1)) (dict "a" (dict "b" 2))) "a.b" "ge" 2 }}{{ .a.b }}{{ end }}|{{ len (where (slice (dict "x" nil) (dict "x" 1)) "x" nil) }}|{{ where (slice 1) "x" 1 }}',
      '2|1|[]',
    ],
    [
      '{{ $s := newScratch }}{{ $s.Set "a" 1 }}{{ $s.Add "a" 2 }}{{ $s.Get "a" }}|{{ $s.Add "l" (slice "x") }}{{ $s.Add "l" (slice "y") }}{{ $s.Get "l" }}|{{ $s.SetInMap "m" "k" "v" }}{{ $s.Get "m" }}',
      '3|[x y]|map[k:v]',
    ],
    ['{{ len (shuffle (slice 1 2 3 4 5)) }}|{{ eq (shuffle (seq 9)) (shuffle (seq 9)) }}', '5|true'],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it.each([
    ['{{ seq 3000 }}', /size of result exceeds limit/],
    ['{{ first -1 (slice 1) }}', /non-negative/],
    ['{{ dict "a" }}', /invalid dictionary call/],
    ['{{ after 1 }}', /wrong number of args for after/],
  ])('refuses %s as Hugo does', (source, message) => {
    // Prepare, Act, Assess
    expect(() => renderWithFunctions(source)).toThrow(message);
  });

  it('refuses a list doubled until it outgrows its budget', () => {
    // Prepare
    const budget = new TemplateBudget({ steps: 50_000, output: 100_000, depth: 8 });
    const source = '{{ $l := slice 1 }}{{ range seq 40 }}{{ $l = $l | append $l }}{{ end }}{{ len $l }}';
    // Act
    const run = () => renderWithFunctions(source, {}, { budget });
    // Assess
    expect(run).toThrow(GoTemplateLimitError);
  });
});
