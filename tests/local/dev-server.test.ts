import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3ContentStore } from '../../functions/adapters/s3-content-store.ts';
import { aliasFile } from '../../functions/core/site/redirects.ts';
import { describeListenError, parsePort, parseRequestPath, startDevServer } from '../../functions/local/dev-server.ts';
import { toApiEvent } from '../../functions/local/http-bridge.ts';
import { SITE_PREFIX } from '../../functions/local/local-publisher.ts';
import { type LocalSite, startLocalSite } from '../../functions/local/local-site.ts';

/*
 * The local server as `npm start` runs it (startLocalSite: stand-ins, the site route, the outbox and the real
 * subscription API), spoken to over raw TCP on loopback, because fetch and browsers clean up the very paths under
 * test before sending them. Nothing is mocked.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const NOT_FOUND_PAGE = '<!doctype html><title>Not here</title><h1>This page is not here</h1>';
const site = { baseUrl: 'https://notes.example/' };

let local: LocalSite;
let port: number;
let outboxDir: string;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes as they are and reads the answer to the end (every request asks for `Connection: close`). A socket
 * idle for `timeoutMs` counts as unanswered: generous, so that only a server that never answers is reported, not a
 * slow one on a loaded machine.
 */
const rawRequest = (bytes: string | Buffer, timeoutMs = 20_000): Promise<RawAnswer | undefined> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close as soon as it has answered, before it has read everything sent.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(parseAnswer(Buffer.concat(chunks)));
      else reject(error);
    });
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks))));
    socket.write(bytes);
  });

const parseAnswer = (bytes: Buffer): RawAnswer | undefined => {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = (end < 0 ? text : text.slice(0, end)).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(head[0] ?? '');
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(status[1]), headers, body: end < 0 ? '' : bytes.subarray(end + 4).toString('utf8') };
};

const get = (target: string, method = 'GET') =>
  rawRequest(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);

beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), 'feedmail-dev-server-'));
  local = await startLocalSite({ root, port: 0, outboxDir });
  port = Number(new URL(local.url).port);
  const put = (key: string, body: string, type: string) =>
    local.standIns.s3.send(
      new PutObjectCommand({ Bucket: local.standIns.bucket, Key: SITE_PREFIX + key, Body: body, ContentType: type }),
    );
  await put('404.html', NOT_FOUND_PAGE, 'text/html; charset=utf-8');
  await put('index.html', '<!doctype html><title>Home</title>', 'text/html; charset=utf-8');
  await put('feed.xml', '<rss version="2.0"/>', 'application/rss+xml; charset=utf-8');
  await put('posts/café/index.html', '<!doctype html><title>Café</title>', 'text/html; charset=utf-8');
  const store = createS3ContentStore({
    bucket: local.standIns.bucket,
    client: local.standIns.s3,
    sitePrefix: SITE_PREFIX,
  });
  await store.writePublic(aliasFile('/2019/10/hello/', '/posts/café/', site));
  await store.writePublic(aliasFile('/old/page.html', 'https://elsewhere.example/a?b=c', site));
  await store.writePublic(aliasFile('/index.xml', '/feed.xml', site));
  await store.writePublic(aliasFile('/notes/v1.2-release', '/posts/café/', site));
  // Written by hand, as nothing in this project would write them: targets the rule refuses.
  for (const [key, target] of [
    ['hostile/index.html', '//evil.example/'],
    ['hostile-backslash/index.html', '/\\evil.example/'],
    ['hostile-scheme/index.html', 'javascript:alert(1)'],
  ] as const)
    await local.standIns.s3.send(
      new PutObjectCommand({
        Bucket: local.standIns.bucket,
        Key: SITE_PREFIX + key,
        Body: '<!doctype html><title>Hostile</title>',
        ContentType: 'text/html; charset=utf-8',
        Metadata: { 'redirect-to': target },
      }),
    );
});

afterAll(async () => {
  await local?.close();
  await rm(outboxDir, { recursive: true, force: true });
});

describe('parseRequestPath', () => {
  it('decodes the path once and keeps the query apart', () => {
    // Act
    const parsed = parseRequestPath('/posts/caf%C3%A9/?utm=x#top');

    // Assess
    expect(parsed).toEqual({ ok: true, path: '/posts/café/', query: '?utm=x' });
  });

  it.each([
    ['/%00', 400],
    ['/x%0d%0aSet-Cookie:%20a=b', 400],
    ['/style.css%00.png', 400],
    ['/a%5c..%5cfeed.xml', 400],
    ['/%E0%A4%A', 400],
    ['http://evil.example/', 400],
    ['*', 400],
    ['//', 404],
    ['//feed.xml', 404],
    ['/%2f%2fevil.example/x', 404],
    ['/posts/../feed.xml', 404],
    ['/posts/%2e%2e/feed.xml', 404],
    ['/..', 404],
  ])('refuses %s with %i', (target, status) => {
    // Act
    const parsed = parseRequestPath(target);

    // Assess
    expect(parsed).toMatchObject({ ok: false, status });
  });
});

describe('local server answers to hostile paths', () => {
  it.each(['/%00', '/x%0d%0aSet-Cookie:%20a=b', '/style.css%00.png'])(
    'answers %s with 400 in plain text naming no internal path, and stays up',
    async (target) => {
      // Act
      const answer = await get(target);
      const after = await get('/');

      // Assess
      expect(answer?.status).toBe(400);
      expect(answer?.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(answer?.headers['set-cookie']).toBeUndefined();
      expect(answer?.body).not.toMatch(/site\/|\.local|node_modules|\/work\//);
      expect(after?.status).toBe(200);
    },
  );

  it.each(['//', '//feed.xml', '/%2f%2fevil.example/x', '/posts/../feed.xml'])(
    'answers %s with the site 404 page, never the home page or a redirect',
    async (target) => {
      // Act
      const answer = await get(target);

      // Assess
      expect(answer?.status).toBe(404);
      expect(answer?.headers.location).toBeUndefined();
      expect(answer?.body).toBe(NOT_FOUND_PAGE);
    },
  );

  it('serves the 404 page with status 404 for a page that does not exist, and HEAD without a body', async () => {
    // Act
    const missing = await get('/posts/nothing-here/');
    const head = await get('/posts/nothing-here/', 'HEAD');

    // Assess
    expect(missing).toMatchObject({ status: 404, body: NOT_FOUND_PAGE });
    expect(missing?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head).toMatchObject({ status: 404, body: '' });
  });

  it('redirects a folder without its slash to the same origin, percent-encoded, keeping the query', async () => {
    // Act
    const plain = await get('/posts/caf%C3%A9?ref=mail');
    const followed = await get(plain?.headers.location ?? '');

    // Assess
    expect(plain?.status).toBe(301);
    expect(plain?.headers.location).toBe('/posts/caf%C3%A9/?ref=mail');
    expect(followed?.status).toBe(200);
    expect(followed?.body).toContain('<title>Café</title>');
  });

  it('answers a method the site does not take with 405, an Allow header and a Content-Type', async () => {
    // Act
    const answer = await rawRequest('DELETE /feed.xml HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');

    // Assess
    expect(answer?.status).toBe(405);
    expect(answer?.headers.allow).toBe('GET, HEAD');
    expect(answer?.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers CONNECT with 405 rather than dropping the connection', async () => {
    // Act
    const answer = await rawRequest('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');

    // Assess
    expect(answer).toMatchObject({ status: 405, body: 'This is a web site, not a proxy: no CONNECT.\n' });
    expect(answer?.headers['content-length']).toBe('45');
  });

  it('answers a subscription body over 1 MiB with 413, as it answers a smaller oversized one', async () => {
    // Prepare
    const request = (size: number) =>
      Buffer.concat([
        Buffer.from(
          'POST /api/subscribe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
            `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\n\r\n`,
        ),
        Buffer.alloc(size, 'a'),
      ]);

    // Act
    const small = await rawRequest(request(64 * 1024));
    const large = await rawRequest(request(3 * 1024 * 1024));
    const after = await get('/feed.xml');

    // Assess
    expect(small?.status).toBe(413);
    expect(large?.status).toBe(413);
    expect(large?.body).toBe(small?.body);
    expect(after?.status).toBe(200);
  });
});

describe('local server answers to old addresses', () => {
  it('answers an alias file with 301 to its site path, keeping the alias page as body, and follows to the page', async () => {
    // Act
    const answer = await get('/2019/10/hello/');
    const followed = await get(answer?.headers.location ?? '');

    // Assess
    expect(answer?.status).toBe(301);
    expect(answer?.headers.location).toBe('/posts/caf%C3%A9/');
    expect(answer?.headers['cache-control']).toBe('no-store');
    expect(answer?.body).toContain(
      '<meta http-equiv="refresh" content="0; url=https://notes.example/posts/caf%C3%A9/">',
    );
    expect(followed?.status).toBe(200);
    expect(followed?.body).toContain('<title>Café</title>');
  });

  it('takes an old folder address without its slash to its slash first, then to the post', async () => {
    // Act
    const first = await get('/2019/10/hello');
    const second = await get(first?.headers.location ?? '');

    // Assess
    expect(first?.headers.location).toBe('/2019/10/hello/');
    expect(second).toMatchObject({ status: 301, headers: { location: '/posts/caf%C3%A9/' } });
  });

  it('answers an alias at a file address, to an absolute URL, and answers HEAD without a body', async () => {
    // Act
    const page = await get('/old/page.html');
    const feed = await get('/index.xml', 'HEAD');

    // Assess
    expect(page).toMatchObject({ status: 301, headers: { location: 'https://elsewhere.example/a?b=c' } });
    expect(feed).toMatchObject({ status: 301, headers: { location: '/feed.xml' }, body: '' });
  });

  it('takes a last segment with a dot for a file, as the edge does, so a dotted old address answers too', async () => {
    // Act
    const answer = await get('/notes/v1.2-release');

    // Assess
    expect(answer).toMatchObject({ status: 301, headers: { location: '/posts/caf%C3%A9/' } });
  });

  it.each(['/hostile/', '/hostile-backslash/', '/hostile-scheme/'])(
    'serves %s as a page rather than redirect to a target the rule refuses',
    async (target) => {
      // Act
      const answer = await get(target);

      // Assess
      expect(answer?.status).toBe(200);
      expect(answer?.headers.location).toBeUndefined();
      expect(answer?.body).toBe('<!doctype html><title>Hostile</title>');
    },
  );
});

/*
 * Property: whatever the path (thousands of segments, one very long segment, bad percent-encoding, NUL, backslashes,
 * `..`, mixed), the local server answers with a client status or a page, never a 5xx, and never with an object
 * outside the bucket's site/ prefix. Every path is sent raw, as one request line under Node's 16 KiB header limit.
 */
describe('local server answers to paths it cannot map', () => {
  const OUTSIDE = 'OUTSIDE-THE-SITE-FOLDER';

  beforeAll(async () => {
    for (const key of ['outside.txt', 'posts/outside.txt', 'a/outside.txt'])
      await local.standIns.s3.send(
        new PutObjectCommand({ Bucket: local.standIns.bucket, Key: key, Body: OUTSIDE, ContentType: 'text/plain' }),
      );
  });

  it.each([
    ['3,000 segments', `/${'a/'.repeat(3_000)}`],
    ['3,000 segments ending in a file', `/${'a/'.repeat(3_000)}x.css`],
    ['one segment of 6,000 characters', `/${'a'.repeat(6_000)}.css`],
    ['one segment of 300 characters, in a short path', `/${'a'.repeat(300)}/`],
    ['a path of 1,100 encoded bytes', `/${'%C3%A9'.repeat(550)}/`],
  ])('answers %s with the 404 page, not a server error', async (_name, target) => {
    // Act
    const answer = await get(target);
    const after = await get('/feed.xml');

    // Assess
    expect(answer?.status).toBe(404);
    expect(answer?.body).toBe(NOT_FOUND_PAGE);
    expect(after?.status).toBe(200);
  });

  const piece = fc.constantFrom(
    'a',
    '..',
    '.',
    '%2e%2e',
    '%00',
    '\\',
    '%5c',
    '%',
    '%zz',
    '%C0%AF',
    'é',
    '%2f',
    '',
    'site',
    'outside.txt',
  );
  const hostilePath = fc.oneof(
    fc.array(piece, { minLength: 1, maxLength: 4_000 }).map((parts) => `/${parts.join('/')}`),
    fc
      .tuple(
        fc.constantFrom('a', 'é', '%41', '.'),
        fc.integer({ min: 500, max: 7_000 }),
        fc.constantFrom('', '/', '.css', '.html'),
      )
      .map(([unit, count, end]) => `/${unit.repeat(count)}${end}`),
    fc
      .tuple(fc.array(piece, { maxLength: 8 }), fc.constantFrom('outside.txt', '../outside.txt', '..%2foutside.txt'))
      .map(([parts, last]) => `/${[...parts, last].join('/')}`),
  );

  it('never answers a hostile path with a 5xx, and never with an object outside the site folder', async () => {
    await fc.assert(
      fc.asyncProperty(hostilePath, fc.constantFrom('GET', 'HEAD'), async (path, method) => {
        const target = path.slice(0, 15_000);
        const answer = await get(target, method);
        expect(answer, target.slice(0, 80)).toBeDefined();
        expect(answer?.status, target.slice(0, 80)).toBeLessThan(500);
        expect(answer?.body ?? '').not.toContain(OUTSIDE);
      }),
      { numRuns: 150, seed: 20261208 },
    );
    expect((await get('/feed.xml'))?.status).toBe(200);
  }, 120_000);
});

describe('fuzzing the local server', () => {
  // Pieces real attacks and broken clients send, mixed with random text and bytes.
  const hostile = fc.constantFrom(
    '%00',
    '%0d%0a',
    '%2f',
    '%2e%2e',
    '..',
    '//',
    '\\',
    '%5c',
    '%',
    '%zz',
    '%C0%AF',
    '%E2%80%AE',
    '?',
    '#',
    ';',
    'api/',
    '_outbox/',
    'index.html',
    'feed.xml',
    '404.html',
    'site/',
    'posts/',
    ' ',
    '\t',
    '%20',
    'évil',
    '💥',
  );
  const pathPart = fc.oneof(hostile, fc.string({ maxLength: 12 }), fc.webSegment());
  const target = fc.oneof(
    fc.array(pathPart, { maxLength: 6 }).map((parts) => `/${parts.join('')}`),
    fc.array(pathPart, { maxLength: 4 }).map((parts) => parts.join('/')),
    fc.webUrl(),
    fc.constantFrom('*', '', '/_outbox', '/_outbox/x.eml/html', '/api/subscribe', '/api/unsubscribe?t=%ff'),
  );
  const method = fc.oneof(
    fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT'),
    fc.stringMatching(/^[A-Za-z]{1,10}$/),
  );
  const header = fc.tuple(
    fc.oneof(
      fc.constantFrom(
        'Content-Type',
        'Accept',
        'Cookie',
        'Origin',
        'Transfer-Encoding',
        'Expect',
        'Upgrade',
        'X-Forwarded-For',
      ),
      fc.stringMatching(/^[A-Za-z-]{1,20}$/),
    ),
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('application/json', 'text/html', 'chunked', '100-continue', 'websocket', 'h2c'),
    ),
  );
  const request = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({ method, target, headers: fc.array(header, { maxLength: 4 }), body: fc.string({ maxLength: 200 }) })
        .map(({ method, target, headers, body }) => {
          const bodyBytes = Buffer.from(body);
          const lines = headers.map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, ' ')}`);
          return Buffer.concat([
            Buffer.from(
              `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${lines.join('\r\n')}${lines.length ? '\r\n' : ''}Content-Length: ${bodyBytes.length}\r\n\r\n`,
              'utf8',
            ),
            bodyBytes,
          ]);
        }),
    },
    // Whatever bytes, ended as a request head would be (but not only blank lines: a server rightly waits past those
    // for the request itself).
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 200 })
        .filter((bytes) => bytes.some((byte) => byte !== 0x0d && byte !== 0x0a))
        .map((bytes) => Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')])),
    },
  );

  it('answers several thousand random and hostile requests, none with a server error, and is still up', async () => {
    // Prepare
    const requests = fc.sample(request, { numRuns: Number(process.env.FUZZ_RUNS ?? 3_000), seed: 20261205 });
    const unanswered: string[] = [];
    const serverErrors: string[] = [];

    // Act
    for (let i = 0; i < requests.length; i += 16) {
      await Promise.all(
        requests.slice(i, i + 16).map(async (bytes) => {
          const answer = await rawRequest(bytes);
          const shown = JSON.stringify(bytes.toString('latin1').slice(0, 120));
          if (!answer) unanswered.push(shown);
          else if (answer.status >= 500) serverErrors.push(`${answer.status} ${shown}`);
        }),
      );
    }
    const after = await get('/feed.xml');

    // Assess
    expect(unanswered).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect(after?.status).toBe(200);
  }, 120_000);
});

/*
 * A client that stalls must not hold a socket for Node's default 300 s. The server under test is a second dev server
 * over the same stand-ins, with short bounds passed as options and the subscription route reading the body as the
 * local run's does; the margins (several times the bound) leave room for a loaded machine.
 */
describe('local server bounds on slow requests', () => {
  const REQUEST_MS = 600;
  const HEADERS_MS = 300;
  let slow: Awaited<ReturnType<typeof startDevServer>>;
  let slowPort: number;

  beforeAll(async () => {
    slow = await startDevServer({
      s3: local.standIns.s3,
      bucket: local.standIns.bucket,
      sitePrefix: SITE_PREFIX,
      port: 0,
      requestTimeoutMs: REQUEST_MS,
      headersTimeoutMs: HEADERS_MS,
    });
    slow.setRoutes([
      async (request, response) => {
        await toApiEvent(request);
        response.end('read');
        return true;
      },
    ]);
    slowPort = Number(new URL(slow.url).port);
  });

  afterAll(async () => {
    await slow?.close();
  });

  /** Sends `bytes` and never more; resolves when the server closes the socket, with what it said and when. */
  const stall = (bytes: string) =>
    new Promise<{ ms: number; answer: RawAnswer | undefined }>((resolve) => {
      const started = Date.now();
      const socket = connect(slowPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      const done = () => resolve({ ms: Date.now() - started, answer: parseAnswer(Buffer.concat(chunks)) });
      socket.setTimeout(10_000, () => socket.destroy());
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', done);
      socket.on('close', done);
      socket.write(bytes);
    });

  it('answers 408 and closes the socket when a request body never finishes', async () => {
    // Act
    const { ms, answer } = await stall(
      'POST /api/subscribe HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 100\r\n\r\nemail=a',
    );

    // Assess
    expect(answer?.status).toBe(408);
    expect(ms).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(ms).toBeLessThan(REQUEST_MS + 5_000);
  });

  it('closes the socket when the request head never finishes', async () => {
    // Act
    const { ms, answer } = await stall('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n');

    // Assess
    expect(answer === undefined || answer.status === 408).toBe(true);
    expect(ms).toBeLessThan(REQUEST_MS + 5_000);
  });

  it('still answers a request that arrives in time', async () => {
    // Act
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(slowPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.write(
        'POST /api/subscribe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 7\r\n\r\nemail=a',
      );
    });

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/read$/);
  });
});

describe('starting the local server', () => {
  it('tells what to do when the port is taken', async () => {
    // Prepare
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;

    // Act
    const error = await startDevServer({
      s3: local.standIns.s3,
      bucket: 'x',
      sitePrefix: 'site/',
      port: takenPort,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await new Promise((resolve) => taken.close(resolve));

    // Assess
    expect(describeListenError(error, takenPort)).toBe(
      `Port ${takenPort} is already in use, perhaps by another npm start. Stop that process, or choose another port: PORT=${takenPort + 1} npm start`,
    );
  });

  it.each([
    [undefined, 8787],
    ['', 8787],
    ['0', 0],
    ['8788', 8788],
    [' 9000 ', 9000],
  ])('takes PORT=%j as %i', (value, expected) => {
    // Act
    const port = parsePort(value, 8787);

    // Assess
    expect(port).toBe(expected);
  });

  it.each(['abc', '-1', '80.5', '65536', '1e3'])('refuses PORT=%s with what to do', (value) => {
    // Act
    const port = parsePort(value, 8787);

    // Assess
    expect(port).toBe(
      `PORT=${JSON.stringify(value)} is not a port number. Give a whole number from 1 to 65535 (or 0 for any free port), for example: PORT=8788 npm start`,
    );
  });
});
