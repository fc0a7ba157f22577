import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

/** Answers a request and returns true, or returns false to let the next route (finally the site) have it. */
export type DevRoute = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/**
 * Serves the public site straight from the bucket's `site/` prefix, the way CloudFront does in the stack:
 * `/x/` means `/x/index.html`, and each object keeps the Content-Type and Cache-Control the publisher gave it.
 * `routes` come first, as CloudFront's `/api/*` behaviour does (set them with `setRoutes` once the URL is known).
 */
export const startDevServer = async (options: {
  s3: S3Client;
  bucket: string;
  sitePrefix: string;
  port: number;
  host?: string;
}): Promise<{ server: Server; url: string; setRoutes(routes: DevRoute[]): void; close(): Promise<void> }> => {
  let routes: DevRoute[] = [];
  const server = createServer(async (request, response) => {
    for (const route of routes) {
      try {
        if (await route(request, response)) return;
      } catch (error) {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`The local run failed to answer: ${error instanceof Error ? error.message : String(error)}\n`);
        return;
      }
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
    } catch {
      response
        .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Bad request: the path is not valid.\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!path.endsWith('/') && !/\.[a-z0-9]+$/i.test(path)) {
      response.writeHead(301, { location: `${path}/` }).end();
      return;
    }
    const key = options.sitePrefix + (path.endsWith('/') ? `${path}index.html` : path).replace(/^\/+/, '');
    try {
      const object = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
      const body = await object.Body?.transformToByteArray();
      response.writeHead(200, {
        'content-type': object.ContentType ?? 'application/octet-stream',
        'cache-control': object.CacheControl ?? 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      const missing =
        error instanceof NoSuchKey ||
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
      response.writeHead(missing ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(missing ? `Not found: ${path}\n` : `Could not read ${key} from the local bucket.\n`);
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${port}/`,
    setRoutes: (next) => {
      routes = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
