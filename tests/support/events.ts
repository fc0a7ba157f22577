import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, S3Event, SNSEvent, SQSEvent } from 'aws-lambda';

const load = (name: string): S3Event =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8')) as S3Event;

/**
 * A real S3 notification (from the fixtures) naming another key. Keys are URL-encoded as S3 encodes them.
 * @example s3Event('created', 'posts/hello.md')
 */
export const s3Event = (kind: 'created' | 'removed', key: string): S3Event => {
  const event = load(kind === 'created' ? 's3-object-created' : 's3-object-removed');
  const record = event.Records[0];
  if (!record) throw new Error('fixture has no record');
  record.s3.object.key = encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
  return event;
};

/**
 * An API Gateway HTTP API (payload 2.0) request as it arrives through CloudFront, from the fixture, with another
 * method, path, query and body. Bodies are base64-encoded as API Gateway does for form posts, unless `plain`.
 * @example httpEvent('POST', '/api/unsubscribe', { query: 'token=…', body: 'List-Unsubscribe=One-Click' })
 */
export const httpEvent = (
  method: string,
  path: string,
  options: { query?: string; body?: string; contentType?: string; plain?: boolean } = {},
): APIGatewayProxyEventV2 => {
  const event = JSON.parse(
    readFileSync(new URL('../fixtures/events/http-api-request.json', import.meta.url), 'utf8'),
  ) as APIGatewayProxyEventV2;
  event.rawPath = path;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  event.rawQueryString = options.query ?? '';
  event.headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  if (options.body === undefined) {
    delete event.body;
    event.isBase64Encoded = false;
  } else {
    event.body = options.plain ? options.body : Buffer.from(options.body).toString('base64');
    event.isBase64Encoded = !options.plain;
  }
  return event;
};

/**
 * SQS records as Lambda delivers them (the fixture's record), one per body, with message ids `message-0`, `message-1`…
 * Objects are sent as JSON; strings as they are (to send something unreadable).
 */
export const sqsEvent = (...bodies: (object | string)[]): SQSEvent => {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/events/sqs-digest-batch.json', import.meta.url), 'utf8'),
  ) as SQSEvent;
  const template = fixture.Records[0];
  if (!template) throw new Error('fixture has no record');
  return {
    Records: bodies.map((body, i) => ({
      ...template,
      messageId: `message-${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })),
  };
};

/** A real SNS event (the fixture at `fixturePath`, under tests/fixtures/), its record copied once per message. */
export const snsEvent = (fixturePath: string, ...messages: string[]): SNSEvent => {
  const envelope = JSON.parse(readFileSync(new URL(`../fixtures/${fixturePath}`, import.meta.url), 'utf8')) as SNSEvent;
  const template = envelope.Records[0];
  if (!template) throw new Error('fixture has no record');
  return {
    Records: messages.map((Message, i) => ({ ...template, Sns: { ...template.Sns, Message, MessageId: `m${i}` } })),
  };
};
