import { describe, expect, it } from 'vitest';
import { contentSecurityPolicyFor, INDEX_REWRITE_CODE } from '../../cdk/constructs/site-distribution.ts';

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
