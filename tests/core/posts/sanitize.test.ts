import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  htmlToText,
  resolveUrl,
  sanitizedHtmlToText,
  sanitizePostHtml,
} from '../../../functions/core/posts/sanitize.ts';

const BASE = 'https://blog.example/posts/hello/';

const optionsWith = (iframeHosts: string[] = []) => ({ baseUrl: BASE, iframeHosts });

/**
 * The attributes of every tag in sanitized output. Text and attribute values are escaped there, so every `<` starts
 * a real tag and every value is double-quoted without a `"` inside.
 */
const attributesOf = (html: string): { name: string; value: string }[] =>
  (html.match(/<[^>]*>/g) ?? []).flatMap((tag) =>
    Array.from(tag.matchAll(/\s([^\s=/>]+)(?:="([^"]*)")?/g), ([, name = '', value = '']) => ({ name, value })),
  );

describe('resolveUrl', () => {
  it.each([
    ['a file next to the post', 'cover.jpg', 'https://blog.example/posts/hello/cover.jpg'],
    ['a parent folder', '../img/a.png', 'https://blog.example/posts/img/a.png'],
    ['a root-relative path', '/abs.png', 'https://blog.example/abs.png'],
    ['a query only', '?q', 'https://blog.example/posts/hello/?q'],
    ['a fragment only', '#frag', 'https://blog.example/posts/hello/#frag'],
    ['an absolute URL on another host', 'http://other.example/a?b#c', 'http://other.example/a?b#c'],
    ['a protocol-relative URL, as https', '//evil.example/x', 'https://evil.example/x'],
    ['a protocol-relative URL with backslashes, as https', '\\\\evil.example/x', 'https://evil.example/x'],
    ['a mailto link', 'mailto:ada@example.org?subject=Hi', 'mailto:ada@example.org?subject=Hi'],
    ['a tel link', 'tel:+49-30-123', 'tel:+49-30-123'],
    ['a path with spaces, percent-encoded', 'my photo.jpg', 'https://blog.example/posts/hello/my%20photo.jpg'],
    ['a URL with surrounding whitespace', '  \n cover.jpg \t', 'https://blog.example/posts/hello/cover.jpg'],
  ])('resolves %s', (_case, url, expected) => {
    // Act
    const resolved = resolveUrl(url, BASE);

    // Assess
    expect(resolved).toBe(expected);
  });

  it('treats an entity that was never decoded as part of a harmless relative path', () => {
    // Act
    const resolved = resolveUrl('&#106;avascript:alert(1)', BASE);

    // Assess
    expect(resolved).toBe(`${BASE}&#106;avascript:alert(1)`);
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['mixed-case javascript:', 'JaVaScRiPt:alert(1)'],
    ['javascript: split by a tab', 'java\tscript:alert(1)'],
    ['javascript: split by a newline', 'java\nscript:alert(1)'],
    ['javascript: after spaces and control characters', ' \u0001\u001f javascript:alert(1)'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['a data: HTML page', 'data:text/html;base64,PHNjcmlwdD4='],
    ['a data: image', 'data:image/png;base64,iVBORw0KGgo='],
    ['file:', 'file:///etc/passwd'],
    ['an unparseable host', 'http://[::1'],
    ['an http URL without a host', 'http://'],
    ['an empty string', ''],
    ['whitespace only', ' \t '],
  ])('refuses %s', (_case, url) => {
    // Act
    const resolved = resolveUrl(url, BASE);

    // Assess
    expect(resolved).toBeUndefined();
  });

  it('refuses to resolve against a base that is not absolute http(s)', () => {
    // Act
    const relativeBase = resolveUrl('a.png', '/posts/hello/');
    const fileBase = resolveUrl('a.png', 'file:///tmp/');

    // Assess
    expect(relativeBase).toBeUndefined();
    expect(fileBase).toBeUndefined();
  });

  /*
   * Property: for any string x, resolveUrl(x, base) is undefined or an absolute URL whose scheme is http, https,
   * mailto or tel.
   */
  it('returns only absolute http(s), mailto or tel URLs', () => {
    const schemes = fc.constantFrom('', 'javascript:', 'JAVA\tSCRIPT:', 'data:', 'http:', 'https:', 'mailto:', '//');
    fc.assert(
      fc.property(fc.tuple(schemes, fc.string({ unit: 'binary' })), ([scheme, rest]) => {
        // Act
        const resolved = resolveUrl(scheme + rest, BASE);

        // Assess
        if (resolved === undefined) return;
        const url = new URL(resolved);
        expect(['http:', 'https:', 'mailto:', 'tel:']).toContain(url.protocol);
        expect(resolved).toBe(url.href);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sanitizePostHtml', () => {
  it.each([
    ['a script element', '<p>a</p><script>alert(1)</script>', '<p>a</p>'],
    ['an event handler on an image', '<img src=x onerror="alert(1)">', `<img src="${BASE}x" />`],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['an entity-encoded javascript: link', '<a href="&#106;avascript:alert(1)">x</a>', '<a>x</a>'],
    ['a javascript: link split by a tab entity', '<a href="java&#x09;script:alert(1)">x</a>', '<a>x</a>'],
    ['a script inside SVG', '<svg><script>alert(1)</script><circle r="1"/></svg>ok', 'ok'],
    ['an iframe from a host not allowed', '<iframe src="https://evil.example/x">fallback</iframe>ok', 'ok'],
    ['a form with its inputs and button', '<form action="/x"><input name="q"><button>Go</button></form>', ''],
    [
      'a style attribute with expression()',
      '<div style="width:expression(alert(1));background:url(javascript:x)">t</div>',
      '<div>t</div>',
    ],
    ['a style element', '<style>body{display:none}</style><p>t</p>', '<p>t</p>'],
    ['MathML smuggling markup', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ''],
    ['a base element', '<base href="https://evil.example/"><a href="a">a</a>', `<a href="${BASE}a">a</a>`],
    [
      'meta refresh and link elements',
      '<meta http-equiv="refresh" content="0;url=javascript:x"><link rel="x" href="y">',
      '',
    ],
    ['object and embed', '<object data="x.swf"><embed src="x.swf"></object>ok', 'ok'],
    ['a javascript: image source', '<img src="javascript:alert(1)" alt="a">', ''],
    ['an SVG data image', '<img src="data:image/svg+xml;base64,PHN2Zz4=">', ''],
    ['a text input', '<input type="text" value="x">', ''],
    ['autoplay on a video', '<video src="v.mp4" autoplay></video>', `<video src="${BASE}v.mp4" controls></video>`],
    [
      'an author rel and target',
      '<a href="/x" rel="opener" target="_blank">x</a>',
      '<a href="https://blog.example/x">x</a>',
    ],
    ['classes other than language-*', '<code class="language-ts evil">x</code>', '<code class="language-ts">x</code>'],
  ])('removes %s', (_case, html, expected) => {
    // Act
    const output = sanitizePostHtml(html, optionsWith());

    // Assess
    expect(output).toBe(expected);
  });

  it.each([
    ['headings with ids', '<h2 id="intro">Intro</h2><h6>Small</h6>'],
    ['inline formatting', '<p><em>a</em> <strong>b</strong> <del>c</del> <s>d</s> <sup>1</sup> <sub>2</sub></p>'],
    [
      'marks, keys and abbreviations',
      '<p><mark>m</mark> <kbd>Ctrl</kbd> <abbr title="HyperText">HTML</abbr><br />x</p>',
    ],
    ['a code block with a language', '<pre><code class="language-typescript">const a = 1 &lt; 2;</code></pre>'],
    ['lists with a start', '<ol start="3"><li>three</li></ol><ul><li>dot</li></ul>'],
    ['a task list', '<ul><li><input type="checkbox" checked disabled /> done</li></ul>'],
    [
      'a table with alignment',
      '<table><thead><tr><th align="left">A</th></tr></thead><tbody><tr><td align="right">1</td></tr></tbody></table>',
    ],
    ['a quote and a rule', '<blockquote><p>q</p></blockquote><hr />'],
    ['details', '<details open><summary>More</summary><p>hidden</p></details>'],
    ['a description list', '<dl><dt>term</dt><dd>definition</dd></dl>'],
    ['spans and divs without attributes', '<div><span>x</span></div>'],
    [
      'a figure',
      `<figure><img src="${BASE}a.png" alt="A" width="10" height="5" loading="lazy" /><figcaption>c</figcaption></figure>`,
    ],
    ['an inline PNG image', '<img src="data:image/png;base64,iVBORw0KGgo=" alt="" />'],
    ['audio with controls', `<audio src="${BASE}a.mp3" controls></audio>`],
  ])('keeps %s', (_case, html) => {
    // Act
    const output = sanitizePostHtml(html, optionsWith());

    // Assess
    expect(output).toBe(html);
  });

  it('turns markdown-it table alignment styles into align attributes', () => {
    // Prepare
    const html =
      '<table><tr><th style="text-align:center">A</th><td style="text-align: right; color: red">1</td></tr></table>';

    // Act
    const output = sanitizePostHtml(html, optionsWith());

    // Assess
    expect(output).toBe('<table><tr><th align="center">A</th><td align="right">1</td></tr></table>');
  });

  it('forces a task-list checkbox to be disabled', () => {
    // Act
    const output = sanitizePostHtml('<input type="checkbox" checked>', optionsWith());

    // Assess
    expect(output).toBe('<input type="checkbox" checked disabled />');
  });

  it('points fragment links at the page the post is shown on, and other links at its folder', () => {
    // Act
    const output = sanitizePostHtml('<a href="#fn1">1</a> <img src="a.png">', {
      ...optionsWith(),
      pageUrl: 'https://blog.example/posts/hello-world/',
    });
    // Assess
    expect(output).toBe(`<a href="https://blog.example/posts/hello-world/#fn1">1</a> <img src="${BASE}a.png" />`);
  });

  it.each([
    ['a relative image', '<img src="cover.jpg">', `<img src="${BASE}cover.jpg" />`],
    ['a parent-folder image', '<img src="../img/a.png">', '<img src="https://blog.example/posts/img/a.png" />'],
    ['a root-relative image', '<img src="/abs.png">', '<img src="https://blog.example/abs.png" />'],
    ['a query link', '<a href="?q">q</a>', `<a href="${BASE}?q">q</a>`],
    ['a fragment link', '<a href="#frag">f</a>', `<a href="${BASE}#frag">f</a>`],
    [
      'a srcset with two candidates',
      '<img src="a.png" srcset="a.png 1x, ../b.png 2x">',
      `<img src="${BASE}a.png" srcset="${BASE}a.png 1x, https://blog.example/posts/b.png 2x" />`,
    ],
    [
      'a srcset candidate with a javascript: URL',
      '<img src="a.png" srcset="javascript:x 1x, b.png 480w">',
      `<img src="${BASE}a.png" srcset="${BASE}b.png 480w" />`,
    ],
    [
      'picture sources and a video poster',
      '<picture><source srcset="a.webp" type="image/webp" /></picture><video src="v.mp4" poster="p.jpg"></video>',
      `<picture><source srcset="${BASE}a.webp" type="image/webp" /></picture><video src="${BASE}v.mp4" poster="${BASE}p.jpg" controls></video>`,
    ],
    [
      'a quote citation',
      '<blockquote cite="/src">q</blockquote>',
      '<blockquote cite="https://blog.example/src">q</blockquote>',
    ],
  ])('makes URLs absolute in %s', (_case, html, expected) => {
    // Act
    const output = sanitizePostHtml(html, optionsWith());

    // Assess
    expect(output).toBe(expected);
  });

  it('adds rel="noopener" to links to other hosts only', () => {
    // Prepare
    const html = '<a href="https://other.example/">o</a><a href="/local">l</a><a href="mailto:a@b.example">m</a>';

    // Act
    const output = sanitizePostHtml(html, optionsWith());

    // Assess
    expect(output).toBe(
      '<a href="https://other.example/" rel="noopener">o</a>' +
        '<a href="https://blog.example/local">l</a><a href="mailto:a@b.example">m</a>',
    );
  });

  it('keeps an iframe from an allowed host, lazy and sandboxed so a video still plays', () => {
    // Prepare
    const html =
      '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" title="Talk" ' +
      'allowfullscreen onload="x()" srcdoc="<script>" style="border:0"></iframe>';

    // Act
    const output = sanitizePostHtml(html, optionsWith(['www.youtube-nocookie.com']));

    // Assess
    expect(output).toBe(
      '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" title="Talk" allowfullscreen ' +
        'loading="lazy" sandbox="allow-scripts allow-same-origin allow-presentation allow-popups" ' +
        'referrerpolicy="strict-origin-when-cross-origin"></iframe>',
    );
  });

  it.each([
    ['plain http', 'http://www.youtube-nocookie.com/embed/abc'],
    ['a subdomain of an allowed host', 'https://evil.www.youtube-nocookie.com/embed/abc'],
    ['a relative path', '/embed/abc'],
    ['a javascript: URL', 'javascript:alert(1)'],
  ])('drops an iframe with %s', (_case, src) => {
    // Act
    const output = sanitizePostHtml(`<iframe src="${src}"></iframe>`, optionsWith(['www.youtube-nocookie.com']));

    // Assess
    expect(output).toBe('');
  });

  /*
   * Property: whatever string an author puts into an attribute value or text, the sanitized output contains no
   * `<script`, no attribute named `on...` and no URL attribute with `javascript:` in it. (Text and alt text may
   * still mention "javascript:" or "onload=" as words; they are escaped and inert.)
   */
  it('never lets script, event handlers or javascript: URLs through', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '"><script>alert(1)</script>',
        "' onmouseover='alert(1)",
        '" onerror="alert(1)',
        'javascript:alert(1)',
        ' java\tscript:alert(1)',
        '<img src=x onerror=alert(1)>',
        '</a><svg onload=alert(1)>',
      ),
    );
    const templates = [
      (x: string) => `<a href="${x}">t</a>`,
      (x: string) => `<img src="${x}" alt="${x}">`,
      (x: string) => `<p title='${x}'>${x}</p>`,
      (x: string) => `<div>${x}</div>`,
      (x: string) => `<img srcset="${x} 1x, ${x} 2x">`,
      (x: string) => `<iframe src="${x}"></iframe>`,
    ];
    fc.assert(
      fc.property(hostile, fc.constantFrom(...templates), (value, template) => {
        // Act
        const output = sanitizePostHtml(template(value), optionsWith(['www.youtube-nocookie.com']));

        // Assess
        expect(output).not.toMatch(/<script/i);
        for (const { name, value } of attributesOf(output)) {
          expect(name).not.toMatch(/^on/i);
          if (['href', 'src', 'srcset', 'poster', 'cite'].includes(name)) expect(value).not.toMatch(/javascript:/i);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('htmlToText', () => {
  it.each([
    ['tags and entities', '<p>Fish &amp; <em>chips</em> &lt;3 &eacute;</p>', 'Fish & chips <3 é'],
    ['block boundaries as spaces', '<h1>Title</h1><p>One<br>two</p><ul><li>a</li><li>b</li></ul>', 'Title One two a b'],
    ['collapsed whitespace', '<p>  a \n\t b  </p>\n\n<p>c</p>', 'a b c'],
    ['scripts and styles with their content', '<script>alert(1)</script><style>p{}</style>text', 'text'],
    ['inline elements without extra spaces', 'in<b>line</b>d', 'inlined'],
    ['a table', '<table><tr><td>a</td><td>b</td></tr></table>', 'a b'],
    ['an empty input', '', ''],
  ])('handles %s', (_case, html, expected) => {
    // Act
    const text = htmlToText(html);

    // Assess
    expect(text).toBe(expected);
  });

  it('returns escaped markup as its literal characters, as text', () => {
    // Act
    const text = htmlToText('Use &lt;b&gt; for bold');

    // Assess
    expect(text).toBe('Use <b> for bold');
  });

  /*
   * Property: for any string s, htmlToText(s) has no tags that came from markup (escaping plain text and converting
   * it back gives the same text), no runs of whitespace and no leading or trailing whitespace.
   */
  it('round-trips escaped plain text and always collapses whitespace', () => {
    const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        // Act
        const fromEscaped = htmlToText(escapeText(text));
        const fromRaw = htmlToText(text);

        // Assess
        expect(fromEscaped).toBe(text.replace(/\s+/g, ' ').trim());
        expect(fromRaw).not.toMatch(/\s\s|^\s|\s$/);
      }),
      { numRuns: 500 },
    );
  });
});

/*
 * Property: for any HTML, once sanitized, the textual fast path gives exactly the text the parsing htmlToText gives.
 * parsePost relies on it to avoid parsing every post body a second time.
 */
describe('sanitizedHtmlToText', () => {
  const fragment = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '<p>',
      '</p>',
      '<em>',
      '</em>',
      '<br>',
      '<li>',
      '<h2 id="x">',
      '</h2>',
      '&amp;',
      '&lt;',
      '&gt;',
      '&quot;',
      '"',
      '<a href="/a?b=1&c=2">',
      '</a>',
      '<img src="x.png" alt="a > b">',
      '<script>x</script>',
      '<table><tr><td>',
      '<video controls>fallback</video>',
      '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>',
      '&#60;',
      '&nbsp;',
      '<pre><code>a < b</code></pre>',
      '<!-- c -->',
      '<div>',
      '</div>',
      '<strong>',
      '<kbd>',
    ),
  );

  it('gives the same text as htmlToText on sanitized HTML', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (parts) => {
        // Prepare
        const sanitized = sanitizePostHtml(parts.join(''), {
          baseUrl: 'https://a.example/posts/',
          iframeHosts: ['www.youtube-nocookie.com'],
        });

        // Act
        const fast = sanitizedHtmlToText(sanitized);

        // Assess
        expect(fast).toBe(htmlToText(sanitized));
      }),
      { numRuns: 400 },
    );
  });
});
