import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { configProblemsOf } from '../support/config-problems.ts';

const configWith = (feedPaths: unknown) => ({ title: 'Notes', baseUrl: 'https://news.example.org/', feedPaths });

const problemsOf = configProblemsOf;

describe('parseSiteConfig: feedPaths', () => {
  it('keeps the old feed addresses of a moved Hugo or Jekyll blog, with their formats', () => {
    // Prepare
    const feedPaths = {
      'index.xml': 'rss',
      'feed.xml': 'atom',
      'feed/': 'rss',
      'feed.atom': 'atom',
      'updates/': 'json',
      'tags/:tag/index.xml': 'rss',
      'feed/:tag.xml': 'atom',
      'posts/index.xml': 'rss',
    };

    // Act
    const config = parseSiteConfig(configWith(feedPaths));

    // Assess
    expect(config.feedPaths).toEqual(feedPaths);
  });

  it('leaves feedPaths out when it is absent or empty', () => {
    // Act
    const absent = parseSiteConfig({ title: 'Notes', baseUrl: 'https://news.example.org/' });
    const empty = parseSiteConfig(configWith({}));

    // Assess
    expect(absent).not.toHaveProperty('feedPaths');
    expect(empty).not.toHaveProperty('feedPaths');
  });

  it.each([
    ['/index.xml', 'rss', 'feedPaths: "/index.xml": write the path without the leading /, as "index.xml"'],
    [':tag.xml', 'rss', 'feedPaths: ":tag.xml": put :tag inside a folder of its own'],
    ['../feed.xml', 'rss', 'feedPaths: "../feed.xml": must be a path below the site root'],
    ['a//b.xml', 'rss', 'feedPaths: "a//b.xml": must be a path below the site root'],
    ['my feed.xml', 'rss', 'feedPaths: "my feed.xml": must be a path below the site root'],
    ['feed', 'rss', 'feedPaths: "feed": must end in .xml, .rss, .atom or .json, or in / for a folder address'],
    ['index.html', 'rss', 'feedPaths: "index.html": must end in .xml, .rss, .atom or .json'],
    ['feed.xml', 'xml', 'feedPaths: "feed.xml": the format must be "rss", "atom" or "json", not "xml"'],
    [
      'feed.json',
      'rss',
      'feedPaths: "feed.json": a .json file holds JSON Feed; write "json", or use a .xml name for rss',
    ],
    ['feed.rss', 'atom', 'feedPaths: "feed.rss": a .rss file holds RSS; write "rss", or use a .xml name for atom'],
    ['index.xml', 'json', 'feedPaths: "index.xml": JSON Feed needs a .json name or a folder address'],
    ['sitemap.xml', 'rss', `feedPaths: "sitemap.xml" is the site's sitemap; choose another path`],
    ['archive/', 'rss', `feedPaths: "archive/" is a folder of the site's own pages`],
    ['tags/:tag/', 'rss', `feedPaths: "tags/:tag/" is a folder of the site's own pages`],
    [':tag/:tag.xml', 'rss', 'feedPaths: ":tag/:tag.xml": may name :tag once'],
  ])('rejects %j as %j, saying what to write', (path, format, message) => {
    // Act
    const problems = problemsOf(configWith({ [path]: format }));

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]?.trim().startsWith(message)).toBe(true);
  });

  it('lists every bad path at once, beside the other problems of the config', () => {
    // Act
    const problems = problemsOf({ ...configWith({ '/a.xml': 'rss', 'b.txt': 'rss' }), feedSize: 0 });

    // Assess
    expect(problems.map((line) => line.trim().split(':')[0])).toEqual(['feedSize', 'feedPaths', 'feedPaths']);
  });

  it('rejects a feedPaths that is not an object of paths and formats', () => {
    // Act
    const problems = problemsOf(configWith(['index.xml']));

    // Assess
    expect(problems).toEqual([
      '  feedPaths: must be an object of site paths and formats, e.g. { "index.xml": "rss", "feed.xml": "atom" }',
    ]);
  });
});
