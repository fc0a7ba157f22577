/**
 * Lets the local dev server hand a request to a Lambda handler written for API Gateway's HTTP API (payload format
 * 2.0), so the local run serves `/api/*` with the very handler the stack deploys.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** API Gateway's own payload limit is far above this; the handler enforces its own, smaller one. */
const MAX_LOCAL_BODY_BYTES = 1024 * 1024;

/**
 * The body, cut at one byte past the limit: the handler then answers 413 itself, as it does to any body over its own
 * limit. The rest of an oversized body is read and dropped (not left unread, which would leave no socket to answer on).
 */
const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size > MAX_LOCAL_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    request.once('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_LOCAL_BODY_BYTES + 1)));
    request.once('error', reject);
  });

/** The event API Gateway would build for this request (the fields our handlers read, plus the usual context). */
export const toApiEvent = async (request: IncomingMessage): Promise<APIGatewayProxyEventV2> => {
  const url = new URL(request.url ?? '/', 'http://local');
  const body = await readBody(request);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const method = request.method ?? 'GET';
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket?.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
};

export const sendApiResult = (response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const body = result.body ?? '';
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
};
