import { describe, expect, it } from 'vitest';
import { TemplateBudget } from '../../../../../functions/core/posts/templating/go/execute.ts';
import { GoTemplateLimitError } from '../../../../../functions/core/posts/templating/go/values.ts';
import { renderWithFunctions } from './render.ts';

/* Hugo's strings namespace and its short names; every expected string was printed by Hugo 0.111.3. */

describe('strings functions', () => {
  it.each([
    [
      '{{ substr "abcdef" 1 3 }}|{{ substr "abcdef" -3 }}|{{ substr "abcdef" 1 -1 }}|{{ substr "héllo" 1 2 }}|{{ substr "abc" 5 }}|{{ substr "abcdef" -2 -1 }}',
      'bcd|def|bcde|él||e',
    ],
    [
      '{{ title "a tale of two cities and the sea" }}|{{ strings.Title "the lord of the rings" }}|{{ title "x-ray vision" }}|{{ title "end of" }}',
      'A Tale of Two Cities and the Sea|The Lord of the Rings|X-Ray Vision|End Of',
    ],
    [
      '{{ strings.FirstUpper "élan vital" }}|{{ upper "ß" }}|{{ lower "ÀÉ" }}|{{ strings.ToUpper "abc" }}',
      'Élan vital|ß|àé|ABC',
    ],
    [
      '{{ truncate 10 "Hello there wonderful world" }}|{{ truncate 10 "" "Hello there wonderful world" }}|{{ truncate 12 "..." "one two three four" }}|{{ truncate 20 "short" }}',
      'Hello …|Hello|one two...|short',
    ],
    [
      '{{ truncate 5 "abcdefghij" }}|{{ truncate 4 "Hi you there" }}|{{ strings.Truncate 10 "<em>Hello</em> there world" }}',
      'abcde …|Hi …|&lt;em&gt;Hello&lt; …',
    ],
    [
      '{{ truncate 15 ("One <a href=\\"x\\">two three</a> four" | safeHTML) }}|{{ truncate 4 "日本語テキストです" }}',
      'One <a href="x">two three …</a>|日本語テ …',
    ],
    [
      '{{ strings.Contains "abc" "bc" }}|{{ strings.ContainsAny "abc" "xyzc" }}|{{ strings.ContainsAny "abc" "" }}|{{ strings.Count "a" "banana" }}|{{ strings.Count "" "abc" }}',
      'true|true|false|3|4',
    ],
    [
      '{{ strings.HasPrefix "abc" "ab" }}|{{ hasPrefix "abc" "b" }}|{{ strings.HasSuffix "abc" "bc" }}',
      'true|false|true',
    ],
    [
      '{{ strings.Repeat 3 "ab" }}|{{ strings.Replace "aaa" "a" "b" }}|{{ replace "aaa" "a" "b" 2 }}|{{ replace "abc" "" "-" }}',
      'ababab|bbb|bba|-a-b-c-',
    ],
    [
      '{{ strings.RuneCount "héllo" }}|{{ countrunes "héllo wörld" }}|{{ countwords "one two  three" }}|{{ countwords "日本 語" }}|{{ countwords "<b>a</b> b" }}',
      '5|10|3|3|2',
    ],
    [
      '{{ strings.Split "a,b,c" "," }}|{{ printf "%q" (split "a,,b" ",") }}|{{ split "" "," | len }}',
      '[a b c]|[&#34;a&#34; &#34;&#34; &#34;b&#34;]|1',
    ],
    [
      '{{ strings.TrimLeft "ab" "abcba" }}|{{ strings.TrimRight "ab" "abcba" }}|{{ strings.TrimPrefix "ab" "abcab" }}|{{ strings.TrimSuffix "ab" "abcab" }}|{{ trim "xxhixx" "x" }}|{{ strings.TrimSpace "  hi " }}',
      'cba|abc|cab|abc|hi|hi',
    ],
    [
      '{{ slicestr "abcdef" 1 3 }}|{{ slicestr "日本語" 1 }}|{{ chomp "a\\r\\n" | printf "%q" }}',
      'bc|本語|&#34;a&#34;',
    ],
    [
      '{{ replaceRE "(a+)b" "[$1]" "aab xab" }}|{{ replaceRE "a" "x" "aaaa" 2 }}|{{ replaceRE "(?P<x>b)" "<${x}>" "abc" }}|{{ replaceRE "(\\\\w+)@(\\\\w+)" "$2 at $1" "me@host" }}|{{ replaceRE "a" "$$" "ab" }}',
      '[aa] x[a]|xxaa|a&lt;b&gt;c|host at me|$b',
    ],
    [
      '{{ findRE "[a-z]+" "ab cd ef" 2 }}|{{ findRE "(?i)AB" "ab Ab" }}|{{ findRE "a" "aaaa" 0 }}|{{ findRE "[[:digit:]]+" "x12y" }}|{{ findRESubmatch "(a)(b)" "abab" }}',
      '[ab cd]|[ab Ab]|[]|[12]|[[ab a b] [ab a b]]',
    ],
  ])('%s', (source, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it('refuses to repeat text past what a post may hold, before building it', () => {
    // Prepare
    const budget = new TemplateBudget({ steps: 1_000_000, output: 10_000, depth: 8 });
    // Act
    const run = () => renderWithFunctions('{{ strings.Repeat 100000000 "ab" }}', {}, { budget });
    // Assess
    expect(run).toThrow(GoTemplateLimitError);
  });

  it('refuses a replace that would grow the text past what a post may hold', () => {
    // Prepare
    const budget = new TemplateBudget({ steps: 1_000_000, output: 10_000, depth: 8 });
    const source = '{{ $s := "aaaaaaaaaa" }}{{ range seq 20 }}{{ $s = replace $s "a" "aa" }}{{ end }}{{ len $s }}';
    // Act
    const run = () => renderWithFunctions(source, {}, { budget });
    // Assess
    expect(run).toThrow(GoTemplateLimitError);
  });
});
