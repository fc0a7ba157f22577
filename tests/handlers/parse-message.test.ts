import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FeedmailError } from '../../functions/core/errors.ts';
import { parseSubscribeRequest } from '../../functions/handlers/create-confirmation-handler.ts';
import { parseBatch } from '../../functions/handlers/create-digest-handlers.ts';
import { parseAlarmNotification } from '../../functions/handlers/create-pause-handler.ts';
import { checkMessage, MessageError, parseMessage } from '../../functions/handlers/parse-message.ts';
import { parseSesFeedback } from '../../functions/handlers/ses-notification.ts';

const bounce = (recipient: Record<string, unknown>): string =>
  JSON.stringify({
    eventType: 'Bounce',
    mail: { timestamp: '2026-11-20T09:00:00.000Z' },
    bounce: { bounceType: 'Permanent', bouncedRecipients: [recipient] },
  });

describe('the messages each handler reads', () => {
  it.each<[string, () => unknown, string]>([
    [
      'a welcome request',
      () => parseSubscribeRequest('{"kind":"welcome","key":5,"confirmedAt":"2026-11-23T07:00:00Z"}'),
      'confirmation queue message: field "key": expected a string',
    ],
    [
      'a subscribe request',
      () => parseSubscribeRequest('{"address":"ada@example.org","via":"post","requestedAt":"2026-11-23T07:00:00Z"}'),
      'confirmation queue message: field "via": expected "form" or "api"',
    ],
    [
      'a digest batch',
      () => parseBatch('{"digestId":"2026-11-23T07:00Z","batchId":"0-1","keys":"ada@example.org"}'),
      'digest queue message: field "keys": expected a list',
    ],
    [
      'an alarm notification',
      () => parseAlarmNotification('{"NewStateValue":"ALARM"}'),
      'reputation alarm topic message: field "AlarmName": no AlarmName',
    ],
    [
      'an SES notification',
      () => parseSesFeedback(bounce({ status: '5.1.1' })),
      'SES feedback topic message: field "bounce.bouncedRecipients[0].emailAddress": missing',
    ],
  ])('name the queue or topic and the field when %s is wrong', (_, parse, expected) => {
    // Act / Assess
    expect(parse).toThrow(MessageError);
    expect(parse).toThrow(expected);
  });
});

describe('parseMessage', () => {
  const schema = z.object({ id: z.string(), count: z.number(), tags: z.array(z.string()) });

  it('lists every wrong field at once, each with its path', () => {
    // Act
    const parse = () => parseMessage('test queue', schema, '{"count":"3","tags":["a",4]}');

    // Assess
    expect(parse).toThrow(
      'test queue message: field "id": missing; field "count": expected a number; field "tags[1]": expected a string',
    );
  });

  it('says when a message is not JSON, or not a JSON object', () => {
    // Act / Assess
    expect(() => parseMessage('test queue', schema, '{"id":')).toThrow(/^test queue message: not JSON \(/);
    expect(() => parseMessage('test queue', schema, '[1]')).toThrow('test queue message: not a JSON object');
  });

  it('throws a FeedmailError that keeps the source and the issues apart', () => {
    // Act
    let caught: unknown;
    try {
      checkMessage('test topic', schema, { id: 'a', count: 1 });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(FeedmailError);
    expect(caught).toMatchObject({
      name: 'MessageError',
      source: 'test topic',
      issues: [{ field: 'tags', problem: 'missing' }],
    });
  });

  it('returns what the schema makes of a good message', () => {
    // Act / Assess
    expect(parseMessage('test queue', schema, '{"id":"a","count":2,"tags":[],"extra":true}')).toEqual({
      id: 'a',
      count: 2,
      tags: [],
    });
  });
});
