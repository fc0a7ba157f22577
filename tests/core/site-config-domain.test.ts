import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { configProblemsOf } from '../support/config-problems.ts';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

const configWith = (overrides: Record<string, unknown>) => ({
  title: 'Notes',
  baseUrl: 'https://news.example.org/',
  domain: { name: 'news.example.org', certificateArn: CERTIFICATE },
  ...overrides,
});

const problemsOf = configProblemsOf;

describe('parseSiteConfig: custom domain', () => {
  it('keeps a domain whose base URL is https://<name>/', () => {
    const config = parseSiteConfig(configWith({}));

    expect(config.domain).toEqual({ name: 'news.example.org', certificateArn: CERTIFICATE });
    expect(config.baseUrl).toBe('https://news.example.org/');
  });

  it('lower-cases the host name and accepts a base URL without the trailing slash', () => {
    const config = parseSiteConfig(
      configWith({
        baseUrl: 'https://News.Example.org',
        domain: { name: 'News.Example.org', certificateArn: CERTIFICATE },
      }),
    );

    expect(config.domain?.name).toBe('news.example.org');
    expect(config.baseUrl).toBe('https://news.example.org/');
  });

  it('has no domain when the config names none', () => {
    const config = parseSiteConfig({ title: 'Notes', baseUrl: 'https://d111.cloudfront.net/' });

    expect(config).not.toHaveProperty('domain');
  });

  it.each([
    ['another host', 'https://www.example.org/'],
    ['plain http', 'http://news.example.org/'],
    ['a path', 'https://news.example.org/blog/'],
    ['a port', 'https://news.example.org:8443/'],
  ])('rejects a base URL with %s', (_case, baseUrl) => {
    const problems = problemsOf(configWith({ baseUrl }));

    expect(problems).toEqual([
      '  baseUrl: must be https://news.example.org/ when domain.name is news.example.org, the address the site is served at',
    ]);
  });

  it.each([
    'https://news.example.org',
    'news.example.org/',
    '*.example.org',
    'news.example.org.',
    'localhost',
    'news_site.example.org',
  ])('rejects the host name %s', (name) => {
    const problems = problemsOf(configWith({ domain: { name, certificateArn: CERTIFICATE } }));

    expect(problems).toEqual([expect.stringMatching(/^ {2}domain\.name: must be a bare host name/)]);
  });

  it('rejects a certificate outside us-east-1, saying CloudFront only uses us-east-1', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

    const problems = problemsOf(configWith({ domain: { name: 'news.example.org', certificateArn } }));

    expect(problems).toEqual([
      expect.stringMatching(/^ {2}domain\.certificateArn: is in eu-west-1, but CloudFront only uses .*us-east-1/),
    ]);
  });

  it.each([
    'arn:aws:iam::123456789012:server-certificate/news',
    'arn:aws:acm:us-east-1:1234:certificate/0f1e2d3c',
    'news.example.org',
  ])('rejects %s as a certificate ARN', (certificateArn) => {
    const problems = problemsOf(configWith({ domain: { name: 'news.example.org', certificateArn } }));

    expect(problems).toEqual([expect.stringMatching(/^ {2}domain\.certificateArn: must be an ACM certificate ARN/)]);
  });

  it('rejects unknown keys and a missing certificate', () => {
    const problems = problemsOf(configWith({ domain: { name: 'news.example.org', zone: 'example.org' } }));

    expect(problems.map((line) => line.split(':')[0]?.trim()).sort()).toEqual(['domain', 'domain.certificateArn']);
  });

  it('lists the base URL mismatch together with every other problem', () => {
    const problems = problemsOf(
      configWith({
        baseUrl: 'https://www.example.org/',
        feedSize: 0,
        domain: { name: 'news.example.org', certificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') },
      }),
    );

    expect(problems.map((line) => line.split(':')[0]?.trim()).sort()).toEqual([
      'baseUrl',
      'domain.certificateArn',
      'feedSize',
    ]);
  });
});

describe('parseSiteConfig: siteUrl', () => {
  it('keeps the address of the author’s own site, ending in a slash', () => {
    const config = parseSiteConfig({
      title: 'Notes',
      baseUrl: 'https://news.example/',
      siteUrl: 'https://blog.example/b',
    });

    expect(config.siteUrl).toBe('https://blog.example/b/');
  });

  it.each([
    [
      'blog.example',
      'siteUrl: must be the absolute http(s) address of your own site, such as https://blog.example.org/',
    ],
    [
      'ftp://blog.example/',
      'siteUrl: must be the absolute http(s) address of your own site, such as https://blog.example.org/',
    ],
    ['https://blog.example/?x=1', 'siteUrl: must be the address alone, without ? or #'],
  ])('refuses %s, naming the key', (siteUrl, problem) => {
    expect(problemsOf({ title: 'Notes', baseUrl: 'https://news.example/', siteUrl })).toEqual([`  ${problem}`]);
  });
});
