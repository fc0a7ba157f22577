import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALIAS_REDIRECT_CODE,
  contentSecurityPolicyFor,
  INDEX_REWRITE_CODE,
} from '../../cdk/constructs/site-distribution.ts';
import { isRedirectLocation } from '../../functions/core/site/redirects.ts';

interface ViewerRequest {
  uri: string;
  querystring: Record<string, { value: string; multiValue?: { value: string }[] }>;
}
interface ViewerResponse {
  statusCode: number;
  headers: Record<string, { value: string }>;
}

// The CloudFront Function source is plain JavaScript; run it here the way CloudFront calls it.
const rewrite = new Function(`${INDEX_REWRITE_CODE}\nreturn handler;`)() as (event: {
  request: ViewerRequest;
}) => ViewerRequest | ViewerResponse;

const request = (uri: string, querystring: ViewerRequest['querystring'] = {}): ViewerRequest => ({ uri, querystring });

describe('index rewrite function', () => {
  it('serves index.html for a folder path', () => {
    const result = rewrite({ request: request('/posts/hello/') });

    expect(result).toMatchObject({ uri: '/posts/hello/index.html' });
  });

  it('serves index.html for the root', () => {
    const result = rewrite({ request: request('/') });

    expect(result).toMatchObject({ uri: '/index.html' });
  });

  it('redirects an extensionless path to its folder path, keeping the query string', () => {
    const result = rewrite({
      request: request('/posts/hello', {
        utm_source: { value: 'mail' },
        tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
        flag: { value: '' },
      }),
    });

    expect(result).toEqual({
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '/posts/hello/?utm_source=mail&tag=a&tag=b&flag' } },
    });
  });

  it('leaves files alone', () => {
    for (const uri of ['/feed.xml', '/feed.json', '/posts/hello/cover.jpg', '/style.css']) {
      const result = rewrite({ request: request(uri) });

      expect(result).toMatchObject({ uri });
    }
  });
});

describe('index rewrite function and hostile paths', () => {
  it.each([
    ['//evil.example/x', '/evil.example/x/'],
    ['//evil', '/evil/'],
    ['///evil.example/x', '/evil.example/x/'],
    ['/\\evil.example/x', '/evil.example/x/'],
    ['/\\/evil', '/evil/'],
    ['/\\', '/'],
  ])('redirects %s to a path of this host, %s, never to another host', (uri, location) => {
    // Act
    const result = rewrite({ request: request(uri) });

    // Assess
    expect(result).toMatchObject({ statusCode: 301, headers: { location: { value: location } } });
  });

  it('passes //evil.example on to the bucket as a page name, which has no such key, rather than redirecting', () => {
    // Act
    const result = rewrite({ request: request('//evil.example') });

    // Assess
    expect(result).toEqual(request('//evil.example.html'));
  });

  it.each([
    ['/blog/2018/07/julia-0.7', '/blog/2018/07/julia-0.7.html'],
    ['/blog/Convex.jl', '/blog/Convex.jl.html'],
    ['/feed.xml', '/feed.xml'],
    ['/images/Photo.JPG', '/images/Photo.JPG'],
    ['/posts/2024/code.jl', '/posts/2024/code.jl'],
  ])('serves %s from %s: a known extension (or an upload under /posts/) is a file, another dot a page', (uri, key) => {
    // Act
    const result = rewrite({ request: request(uri) });

    // Assess
    expect(result).toEqual(request(key));
  });

  // Property: whatever path a viewer asks for, a redirect the function answers leads to this host: its Location
  // starts with one "/" followed by neither "/" nor "\\".
  it('never answers with a Location that browsers would read as another host', () => {
    const piece = fc.oneof(
      fc.constantFrom('/', '//', '\\', '.', 'evil.example', '%2f', 'x'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const result = rewrite({ request: request(`/${pieces.join('')}`) });
        if (!('statusCode' in result)) return;
        expect(result.headers.location?.value).toMatch(/^\/(?![/\\])/);
      }),
      { numRuns: 2_000 },
    );
  });
});

interface OriginResponse {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, { value: string }>;
}

const aliasRedirect = new Function(`${ALIAS_REDIRECT_CODE}\nreturn handler;`)() as (event: {
  request: ViewerRequest;
  response: OriginResponse;
}) => OriginResponse;

/** A response as CloudFront hands it to the function: from the bucket (or the cache), with the object's headers. */
const fromBucket = (metadata?: string): { request: ViewerRequest; response: OriginResponse } => ({
  request: request('/2019/10/hello/index.html'),
  response: {
    statusCode: 200,
    statusDescription: 'OK',
    headers: {
      'content-type': { value: 'text/html; charset=utf-8' },
      'cache-control': { value: 'public, max-age=300, stale-while-revalidate=60' },
      ...(metadata === undefined ? {} : { 'x-amz-meta-redirect-to': { value: metadata } }),
    },
  },
});

describe('alias redirect function', () => {
  it('answers 301 to the site path an alias file names, relative to the host, without the metadata header', () => {
    // Act
    const result = aliasRedirect(fromBucket('/posts/hello/'));

    // Assess
    expect(result).toEqual({
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: {
        'content-type': { value: 'text/html; charset=utf-8' },
        'cache-control': { value: 'public, max-age=300' },
        location: { value: '/posts/hello/' },
      },
    });
  });

  it('answers 301 to an absolute URL as it is', () => {
    // Act
    const result = aliasRedirect(fromBucket('https://elsewhere.example/a?b=c'));

    // Assess
    expect(result.statusCode).toBe(301);
    expect(result.headers.location).toEqual({ value: 'https://elsewhere.example/a?b=c' });
  });

  it('passes every other response unchanged', () => {
    // Prepare
    const event = fromBucket();

    // Act
    const result = aliasRedirect(event);

    // Assess
    expect(result).toEqual(fromBucket().response);
  });

  it.each(['//evil.example/', '/\\evil.example/', 'javascript:alert(1)', 'posts/hello/', '/a b/', '/a\r\nx: y', ''])(
    'passes a response whose target is %j through untouched',
    (target) => {
      // Act
      const result = aliasRedirect(fromBucket(target));

      // Assess
      expect(result).toEqual(fromBucket(target).response);
    },
  );

  // Property: the edge and the core (the dev server, aliasFile) accept exactly the same Location values.
  it('redirects exactly when isRedirectLocation accepts the target', () => {
    const piece = fc.oneof(
      fc.constantFrom('/', '//', '\\', 'http://', 'https://', 'HTTPS://', 'javascript:', ' ', '\r\n', 'é', '%2f'),
      fc.string({ maxLength: 5 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), (pieces) => {
        const target = pieces.join('');
        const result = aliasRedirect(fromBucket(target));
        expect(result.statusCode === 301).toBe(isRedirectLocation(target));
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('contentSecurityPolicyFor', () => {
  it('allows no scripts and frames only from the configured iframe hosts', () => {
    const csp = contentSecurityPolicyFor({
      baseUrl: 'https://notes.example/blog/',
      iframeHosts: ['www.youtube-nocookie.com', 'player.vimeo.com'],
    });

    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'none'",
        "style-src 'self' https://notes.example",
        'frame-src https://www.youtube-nocookie.com https://player.vimeo.com',
        "frame-ancestors 'none'",
      ]),
    );
  });

  it('forbids every frame when no iframe host is configured', () => {
    const csp = contentSecurityPolicyFor({ baseUrl: 'https://notes.example/', iframeHosts: [] });

    expect(csp).toContain("frame-src 'none'");
  });
});
