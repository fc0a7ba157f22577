import { describe, expect, it } from 'vitest';
import { renderWithFunctions } from './render.ts';

/* Hugo's transform, safe, encoding and crypto namespaces; expected values printed by Hugo 0.111.3. */

describe('transform functions', () => {
  it.each([
    [
      '{{ markdownify "*a* b" }}|{{ plainify "<b>x</b> y" }}|{{ plainify "<p>a</p><p>b<br>c</p>\\nd" | printf "%q" }}',
      '<em>a</em> b|x y|&#34;a\\nb\\nc\\nd&#34;',
    ],
    [
      '{{ emojify ":smile: and :nope: :tada:" }}|{{ htmlEscape "<b>&" }}|{{ htmlUnescape "&lt;b&gt; &copy; &#39;" }}',
      '😄 and :nope: 🎉|&amp;lt;b&amp;gt;&amp;amp;|&lt;b&gt; © &#39;',
    ],
    [
      '{{ jsonify (dict "b" "<x>" "a" (slice 1 2.5 true nil)) }}|{{ jsonify 1e21 }}|{{ jsonify (slice 1.0 0.000001 1e-7 2.5e20) }}',
      '{"a":[1,2.5,true,null],"b":"\\u003cx\\u003e"}|1e+21|[1,0.000001,1e-7,250000000000000000000]',
    ],
    ['{{ jsonify (dict "indent" "  " "prefix" "> ") (slice 1 2) }}', '[\n>   1,\n>   2\n> ]'],
    [
      '{{ "<i>x</i>" | safeHTML }}|{{ "<i>" | html }}|{{ chomp "x\\n\\n" }}|{{ printf "%T" (safeURL "x") }}',
      '<i>x</i>|&lt;i&gt;|x|string',
    ],
    [
      '{{ transform.Unmarshal "{\\"a\\": [1, 2]}" }}|{{ transform.Unmarshal "a = 1\\nb = \\"x\\"" }}|{{ transform.Unmarshal "a: 1\\nb: text" }}',
      'map[a:[1 2]]|map[a:1 b:x]|map[a:1 b:text]',
    ],
    [
      '{{ base64Encode "héllo" }}|{{ base64Decode "aGk=" }}|{{ md5 "x" }}|{{ sha1 "x" }}|{{ len (sha256 "x") }}|{{ crypto.FNV32a "hugo" }}',
      'aMOpbGxv|hi|9dd4e461268c8034f5c8564e155c67a6|11f6ad8ec52a2984abaafd7c3b516503785c2072|64|1838067924',
    ],
    [
      '{{ highlight "a < b" "go" "" }}|{{ urlquery "a b&c" }}',
      '<pre><code class="language-go" data-lang="go">a &lt; b</code></pre>|a&#43;b%26c',
    ],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });
});
