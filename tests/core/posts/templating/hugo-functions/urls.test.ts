import { describe, expect, it } from 'vitest';
import { renderWithFunctions } from './render.ts';

/* Hugo's urls namespace against https://notes.example/blog/; expected values printed by Hugo 0.111.3. */

describe('urls functions', () => {
  it.each([
    [
      '{{ absURL "a/b" }}|{{ absURL "/a/b" }}|{{ relURL "a/b" }}|{{ relURL "/a/b" }}|{{ absURL "https://x.example/y" }}',
      'https://notes.example/blog/a/b|https://notes.example/a/b|/blog/a/b|/a/b|https://x.example/y',
    ],
    [
      '{{ absLangURL "a" }}|{{ relLangURL "a" }}|{{ relURL "" }}|{{ absURL "" }}|{{ relURL "https://notes.example/blog/x" }}|{{ absURL "//cdn.example/x" }}',
      'https://notes.example/blog/a|/blog/a|/blog/|https://notes.example/blog/|/blog/x|//cdn.example/x',
    ],
    [
      '{{ urlize "Hello World! Über/ä?x" }}|{{ urlize "  Spaces  here " }}|{{ urlize "a&b=c" }}|{{ urlize "a#b+c~d@e\\\\f" }}',
      'hello-world-%C3%BCber/%C3%A4x|spaces-here|abc|a#b&#43;c~d@e%5Cf',
    ],
    [
      '{{ anchorize "Hello World! Über/ä?x" }}|{{ urls.Anchorize "A  b--c" }}|{{ anchorize "Hello, World! 2 + 2" }}|{{ anchorize "--Trim--" }}',
      'hello-world-überäx|a--b--c|hello-world-2--2|--trim--',
    ],
    [
      '{{ with urls.Parse "https://u:p@example.org:8080/a/b?x=1&y=2#frag" }}{{ .Scheme }}|{{ .Host }}|{{ .Hostname }}|{{ .Port }}|{{ .Path }}|{{ .RawQuery }}|{{ .Fragment }}|{{ .Query }}|{{ .Query.Get "x" }}|{{ .User }}|{{ .IsAbs }}{{ end }}',
      'https|example.org:8080|example.org|8080|/a/b|x=1&amp;y=2|frag|map[x:[1] y:[2]]|1|u:p|true',
    ],
    [
      '{{ with urls.Parse "a/b c?x=1#f" }}{{ .Path }}|{{ .IsAbs }}|{{ .String }}{{ end }}|{{ with urls.Parse "https://example.org/caf%C3%A9?q=%20x" }}{{ .Path }}|{{ .Query.Get "q" }}|{{ .EscapedPath }}{{ end }}',
      'a/b c|false|a/b%20c?x=1#f|/café| x|/caf%C3%A9',
    ],
    [
      '{{ urls.JoinPath "https://a.example/x/" "y" "../z" }}|{{ ref . "other.md" }}',
      'https://a.example/x/z|https://notes.example/blog/posts/other/',
    ],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it('refuses a reference to a post the site does not have', () => {
    // Prepare, Act, Assess
    expect(() => renderWithFunctions('{{ relref . "nowhere.md" }}')).toThrow(/no post of the site has that name/);
  });
});
