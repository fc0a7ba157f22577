import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSite, startLocalSite } from '../../functions/local/local-site.ts';
import { validateAtom } from '../support/feed-validator.ts';

/*
 * A Jekyll blog moved into the local run, as an author would try it with `npm start`: its posts uploaded to the S3
 * stand-in, published by the real handler, and served by the dev server, which answers old addresses with a 301
 * as the stack's edge does. Requests do not follow redirects, so each answer is seen as a browser would get it.
 */
const repository = fileURLToPath(new URL('../../', import.meta.url));

let root: string;
let local: LocalSite;

const get = (path: string) => fetch(new URL(path, local.url), { redirect: 'manual' });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'feedmail-moved-'));
  await symlink(join(repository, 'templates'), join(root, 'templates'));
  await writeFile(
    join(root, 'site.config.json'),
    JSON.stringify({
      title: 'Heron Log',
      baseUrl: 'https://blog.example/',
      feedPaths: { 'feed.xml': 'atom' },
      mail: { from: 'log@blog.example', postalAddress: 'Heron Log, 2 Estuary Lane, 1000 Sandton' },
    }),
  );
  const posts = join(root, 'content', 'posts');
  await mkdir(join(posts, '_posts'), { recursive: true });
  await writeFile(join(posts, '_config.yml'), 'url: https://old.example\npermalink: /:year/:title\n');
  await writeFile(
    join(posts, '_posts', '2024-03-02-heron-count.md'),
    '---\ntitle: Heron count\nredirect_from: [/herons/]\n---\n\nSeven herons on the mudflat today.\n',
  );
  await writeFile(
    join(posts, '_posts', '2024-03-05-release-0.7.md'),
    '---\ntitle: Release 0.7\n---\n\nThe counting sheet gets a second column.\n',
  );
  local = await startLocalSite({ root, port: 0, outboxDir: join(root, '.local', 'outbox') });
  await local.publishAll();
});

afterAll(async () => {
  await local?.close();
  await rm(root, { recursive: true, force: true });
});

describe('local run of a moved Jekyll blog', () => {
  it('serves each post at its Jekyll address, a dotted one from its .html file', async () => {
    // Act
    const folder = await get('/2024/heron-count/');
    const dotted = await get('/2024/release-0.7');

    // Assess
    expect(folder.status).toBe(200);
    expect(await folder.text()).toContain('Seven herons on the mudflat today.');
    expect(dotted.status).toBe(200);
    expect(dotted.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await dotted.text()).toContain('The counting sheet gets a second column.');
  });

  it('answers the old addresses with a 301 to the post', async () => {
    // Act
    const answers = await Promise.all(
      ['/2024/heron-count', '/2024/heron-count.html', '/herons/'].map(async (path) => {
        const response = await get(path);
        return { path, status: response.status, location: response.headers.get('location') };
      }),
    );

    // Assess
    const page = new URL('/2024/heron-count/', local.url).href;
    expect(answers).toEqual([
      { path: '/2024/heron-count', status: 301, location: '/2024/heron-count/' },
      { path: '/2024/heron-count.html', status: 301, location: page },
      { path: '/herons/', status: 301, location: page },
    ]);
  });

  it('serves jekyll-feed’s Atom at /feed.xml with the ids its readers hold, valid where it is served', async () => {
    // Act
    const response = await get('/feed.xml');
    const atom = await response.text();

    // Assess
    expect(response.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(atom).toContain('<id>https://old.example/2024/heron-count</id>');
    expect(atom).toContain('<id>https://old.example/2024/release-0.7</id>');
    expect(validateAtom(atom, { location: new URL('/feed.xml', local.url).href })).toEqual([]);
  });
});
