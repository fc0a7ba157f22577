import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { REDIRECT_METADATA_KEY } from '../adapters/s3-content-store.ts';
import { fileNameKind, SITE_FILES } from '../core/paths.ts';
import { isRedirectLocation } from '../core/site/redirects.ts';

/** Answers a request and returns true, or returns false to let the next route (finally the site) have it. */
export type DevRoute = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export type RequestPath =
  | {
      ok: true /** decoded, always starting with one `/` */;
      path: string /** the query, with its `?`, or '' */;
      query: string;
    }
  | { ok: false; status: 400 | 404; message: string };

// C0 controls, DEL and the backslash (which browsers read as `/`) have no place in a page's path.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

/**
 * Reads the request target as CloudFront and S3 would see it: origin-form only (`/a/b?q`), percent-decoded once.
 * A path that no object of the site can have (control characters, `..`, empty segments such as `//x`) is refused
 * here, before any route or redirect sees it, so nothing can be steered off the site or into the bucket's other
 * prefixes.
 */
export const parseRequestPath = (target: string | undefined): RequestPath => {
  const raw = target ?? '/';
  const queryAt = raw.search(/[?#]/);
  const rawPath = queryAt < 0 ? raw : raw.slice(0, queryAt);
  const query = queryAt < 0 || raw[queryAt] === '#' ? '' : raw.slice(queryAt).replace(/#.*$/s, '');
  if (!rawPath.startsWith('/'))
    return { ok: false, status: 400, message: 'the request target must be a path that starts with "/"' };
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, message: 'the path has a "%" that is not followed by two hexadecimal digits' };
  }
  if (FORBIDDEN.test(path))
    return { ok: false, status: 400, message: 'the path holds a control character or a backslash' };
  const segments = path.slice(1).split('/');
  if (segments.slice(0, -1).some((segment) => segment === '' || segment === '.' || segment === '..'))
    return { ok: false, status: 404, message: 'no page of the site has an empty, "." or ".." segment in its path' };
  if (segments.at(-1) === '.' || segments.at(-1) === '..')
    return { ok: false, status: 404, message: 'no page of the site has a "." or ".." segment in its path' };
  return { ok: true, path, query };
};

/** S3's limit on an object key, in UTF-8 bytes: a longer key names no object (S3 answers 400 KeyTooLongError). */
export const MAX_KEY_BYTES = 1024;

/**
 * The longest key segment the S3 stand-in can hold: s3rver keeps each segment as a folder or file name (at most 255
 * bytes on Linux, less the `._S3rver_metadata.json` it appends), and answers 500 (ENAMETOOLONG) for a longer one.
 * No object with such a segment can be in the local bucket, since s3rver could not have stored it either.
 */
export const MAX_SEGMENT_BYTES = 200;

/** Why no object of the local bucket can have this key, or undefined when one may. */
const unmappableKey = (key: string): string | undefined => {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `no page of the site has a path over ${MAX_KEY_BYTES} bytes`;
  if (key.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES))
    return `no page of the local site has a path segment over ${MAX_SEGMENT_BYTES} bytes`;
  return undefined;
};

/** The same path, percent-encoded segment by segment: safe in a Location header and never leaving the origin. */
const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** The local server's bounds on a request's arrival (see startDevServer). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** `PORT` as the local run takes it: a whole number from 0 (any free port) to 65535, or a message saying what to do. */
export const parsePort = (value: string | undefined, fallback: number): number | string => {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (/^\d+$/.test(value.trim()) && port <= 65535) return port;
  return `PORT=${JSON.stringify(value)} is not a port number. Give a whole number from 1 to 65535 (or 0 for any free port), for example: PORT=8788 npm start`;
};

/** What to tell the person who ran `npm start` when the server could not listen, or undefined for other errors. */
export const describeListenError = (error: unknown, port: number | string): string | undefined => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const next = typeof port === 'number' && port > 0 && port < 65535 ? port + 1 : 8788;
  if (code === 'EADDRINUSE')
    return `Port ${port} is already in use, perhaps by another npm start. Stop that process, or choose another port: PORT=${next} npm start`;
  if (code === 'EACCES')
    return `This user may not listen on port ${port}. Choose a port above 1023: PORT=${next} npm start`;
  return undefined;
};

const sendText = (response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : `${text}\n`);
};

const isMissing = (error: unknown): boolean =>
  error instanceof NoSuchKey ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/**
 * Serves the public site straight from the bucket's `site/` prefix, the way CloudFront does in the stack:
 * `/x/` means `/x/index.html`, each object keeps the Content-Type and Cache-Control the publisher gave it, an alias
 * file answers 301 to its `redirect-to` metadata (the stack's viewer-response function), and a missing page gets the
 * site's own 404.html with status 404 (the stack's custom error response).
 * `routes` come first, as CloudFront's `/api/*` behaviour does (set them with `setRoutes` once the URL is known).
 * No request can stop the server: whatever a route or the bucket throws becomes a 500 answer and a line on stderr.
 */
export const startDevServer = async (options: {
  s3: S3Client;
  bucket: string;
  sitePrefix: string;
  port: number;
  host?: string;
  /** How long a whole request (head and body) may take to arrive before the answer is 408 (default 30 s). */
  requestTimeoutMs?: number;
  /** How long the request head may take (default 10 s, and never more than requestTimeoutMs). */
  headersTimeoutMs?: number;
}): Promise<{ server: Server; url: string; setRoutes(routes: DevRoute[]): void; close(): Promise<void> }> => {
  let routes: DevRoute[] = [];

  const readSiteObject = async (path: string) => {
    const object = await options.s3.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: options.sitePrefix + path }),
    );
    return { object, body: await object.Body?.transformToByteArray() };
  };

  const notFound = async (response: ServerResponse, message: string): Promise<void> => {
    try {
      const { object, body } = await readSiteObject(SITE_FILES.notFound);
      response.writeHead(404, {
        'content-type': object.ContentType ?? 'text/html; charset=utf-8',
        'content-length': String(body?.length ?? 0),
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      response.end(response.req.method === 'HEAD' ? undefined : body);
    } catch {
      // Nothing published yet (or no 404 page): a plain answer still says what happened.
      sendText(response, 404, `Not found: ${message}.`);
    }
  };

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const target = parseRequestPath(request.url);
    if (!target.ok) {
      if (target.status === 404) await notFound(response, target.message);
      else sendText(response, 400, `Bad request: ${target.message}.`);
      return;
    }
    for (const route of routes) if (await route(request, response)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'Method not allowed: the site answers GET and HEAD; forms post to /api/.', {
        allow: 'GET, HEAD',
      });
      return;
    }
    const { path, query } = target;
    // As the stack's index rewrite decides (fileNameKind): a known extension is a file, another dot a page kept at
    // its old address (/notes/v1.2-release is notes/v1.2-release.html), no dot a folder wanting its slash.
    const kind = path.endsWith('/') ? 'folder' : fileNameKind(path);
    if (!path.endsWith('/') && kind === 'folder') {
      response.writeHead(301, { location: `${encodePath(path)}/${query}`, 'content-length': '0' }).end();
      return;
    }
    const key = (path.endsWith('/') ? `${path}${SITE_FILES.index}` : kind === 'page' ? `${path}.html` : path).slice(1);
    const unmappable = unmappableKey(options.sitePrefix + key);
    if (unmappable) {
      await notFound(response, unmappable);
      return;
    }
    try {
      const { object, body } = await readSiteObject(key);
      // An alias file (an old address of a post): 301 to its target, as the stack's viewer-response function does,
      // under the same rule for what a Location may be. Not cached, so a changed alias shows on the next reload.
      const target = object.Metadata?.[REDIRECT_METADATA_KEY];
      if (target !== undefined && isRedirectLocation(target)) {
        response.writeHead(301, {
          location: target,
          'content-type': object.ContentType ?? 'text/html; charset=utf-8',
          'content-length': String(body?.length ?? 0),
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        response.end(request.method === 'HEAD' ? undefined : body);
        return;
      }
      response.writeHead(200, {
        'content-type': object.ContentType ?? 'application/octet-stream',
        'content-length': String(body?.length ?? 0),
        'cache-control': object.CacheControl ?? 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await notFound(response, path);
    }
  };

  // Node's defaults let a request whose body never ends hold a socket for 300 s. A form post or a page request here
  // arrives in milliseconds; these bounds only cut off clients that stall. Node checks them on a timer, so the
  // interval follows the timeout (else a short timeout would still wait Node's default 30 s check).
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
    },
    (request, response) => {
      answer(request, response).catch((error: unknown) => {
        console.error(`The local run could not answer ${request.method} ${JSON.stringify(request.url)}:`, error);
        if (!response.headersSent) sendText(response, 500, 'The local run failed to answer; the terminal says why.');
        else response.destroy();
      });
    },
  );
  // CONNECT (a proxy tunnel) never reaches the request handler; without an answer here Node would drop the socket.
  server.on('connect', (_request, socket) => {
    socket.on('error', () => socket.destroy());
    const body = 'This is a web site, not a proxy: no CONNECT.\n';
    socket.end(
      'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${port}/`,
    setRoutes: (next) => {
      routes = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
