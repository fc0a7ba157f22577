import { readFileSync } from 'node:fs';
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { FeedmailError } from '../../functions/core/errors.ts';
import type { FeedbackEvent } from '../../functions/core/subscribers/ses-feedback.ts';
import { parseSesFeedback } from '../../functions/handlers/ses-notification.ts';

// Fixtures are written in the shapes of the SES developer guide: `event-*` as a configuration set's event
// destination publishes them (eventType), `notification-*` as identity feedback notifications do (notificationType).
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/ses/${name}`, import.meta.url), 'utf8');

describe('parseSesFeedback over the fixtures', () => {
  it.each<[string, FeedbackEvent[]]>([
    [
      'event-bounce-permanent.json',
      [
        {
          kind: 'permanent-bounce',
          address: 'bounce@simulator.amazonses.com',
          at: '2026-11-20T09:15:02.431Z',
          detail: 'Permanent/General 5.1.1 smtp; 550 5.1.1 user unknown',
          messageId: '0102019c1a2b3a11-7d3e4f50-61a2-4b73-8c94-d5e6f7a8b9c0-000000',
        },
      ],
    ],
    [
      'notification-bounce-permanent.json',
      [
        {
          kind: 'permanent-bounce',
          address: 'bounce@simulator.amazonses.com',
          at: '2026-11-20T09:20:45.000Z',
          detail: 'Permanent/General 5.1.1 smtp; 550 5.1.1 user unknown',
          messageId: '0102019c1a2b4c00-1f2e3d4c-5b6a-4798-8a6b-5c4d3e2f1a00-000000',
        },
      ],
    ],
    [
      'event-complaint.json',
      [
        {
          kind: 'complaint',
          address: 'complaint@simulator.amazonses.com',
          at: '2026-11-20T10:02:17.000Z',
          detail: 'complaint: abuse',
          messageId: '0102019c1a5d6c21-3a4b5c6d-7e8f-4901-a2b3-c4d5e6f7a8b9-000000',
        },
      ],
    ],
    [
      // Offset timestamps, as in the guide's older examples, come out in UTC.
      'notification-complaint.json',
      [
        {
          kind: 'complaint',
          address: 'complaint@simulator.amazonses.com',
          at: '2026-11-20T10:30:05.120Z',
          detail: 'complaint: abuse',
          messageId: '0102019c1a7f7e02-5d6e7f80-91a2-4b3c-84d5-e6f7a8b9c0d1-000000',
        },
      ],
    ],
    [
      'event-bounce-transient-mailbox-full.json',
      [
        {
          kind: 'transient-bounce',
          address: 'grace@mail.example.net',
          at: '2026-11-20T12:44:09.337Z',
          detail: 'Transient/MailboxFull 5.2.2 smtp; 552 5.2.2 Mailbox full',
          messageId: '0102019c1a9a0812-7f8091a2-b3c4-4d5e-a6f7-a8b9c0d1e2f3-000000',
        },
      ],
    ],
    [
      'notification-bounce-transient-general.json',
      [
        {
          kind: 'transient-bounce',
          address: 'away@mail.example.net',
          at: '2026-11-20T13:05:00.000Z',
          detail: 'Transient/General',
          messageId: '0102019c1aab1a03-91a2b3c4-d5e6-4f70-88b9-c0d1e2f3a4b5-000000',
        },
      ],
    ],
    [
      'event-bounce-suppressed.json',
      [
        {
          kind: 'permanent-bounce',
          address: 'suppressionlist@simulator.amazonses.com',
          at: '2026-11-20T14:10:31.902Z',
          detail:
            'Permanent/OnAccountSuppressionList 5.1.1 Amazon SES did not send the message to this address because it ' +
            'is on the suppression list for your account.',
          messageId: '0102019c1abc2b14-b3c4d5e6-f708-4192-a3b4-c5d6e7f8091a-000000',
        },
      ],
    ],
    [
      'event-bounce-undetermined.json',
      [
        {
          kind: 'transient-bounce',
          address: 'maybe@mail.example.net',
          at: '2026-11-20T15:00:00.000Z',
          detail: 'Undetermined/Undetermined',
          messageId: '0102019c1acd3c25-d5e6f708-192a-4b3c-94d5-e6f708192a3b-000000',
        },
      ],
    ],
    [
      'notification-bounce-two-recipients.json',
      [
        {
          kind: 'permanent-bounce',
          address: 'ada@example.com',
          at: '2026-11-20T16:01:02.000Z',
          detail: 'Permanent/NoEmail 5.1.1 smtp; 550 5.1.1 <ada@example.com>... User unknown',
          messageId: '0102019c1ade4d36-f708192a-3b4c-4d5e-b6f7-08192a3b4c5d-000000',
        },
        {
          kind: 'permanent-bounce',
          address: 'charles@example.com',
          at: '2026-11-20T16:01:02.000Z',
          detail: 'Permanent/NoEmail 5.1.1',
          messageId: '0102019c1ade4d36-f708192a-3b4c-4d5e-b6f7-08192a3b4c5d-000000',
        },
      ],
    ],
    [
      'event-complaint-suppressed.json',
      [
        {
          kind: 'complaint',
          address: 'complained-before@mail.example.net',
          at: '2026-11-20T17:12:00.000Z',
          detail: 'complaint: OnAccountSuppressionList',
          messageId: '0102019c1aef4e47-08192a3b-4c5d-4e6f-97a8-192a3b4c5d6e-000000',
        },
      ],
    ],
    ['event-delivery.json', []],
    ['notification-delivery.json', []],
    ['event-open.json', []],
  ])('reads %s', (name, expected) => {
    // Prepare
    const message = fixture(name);
    // Act
    const events = parseSesFeedback(message);
    // Assess
    expect(events).toEqual(expected);
  });
});

describe('parseSesFeedback on an SNS Lambda event', () => {
  it('reads the SES notification carried as a string in Records[].Sns.Message', () => {
    // Prepare
    const event = JSON.parse(fixture('sns-event-bounce.json')) as SNSEvent;
    // Act
    const events = event.Records.flatMap((record) => parseSesFeedback(record.Sns.Message));
    // Assess
    expect(events).toEqual([
      expect.objectContaining({ kind: 'permanent-bounce', address: 'bounce@simulator.amazonses.com' }),
    ]);
  });
});

describe('parseSesFeedback on unexpected input', () => {
  const bounce = (fields: Record<string, unknown>) =>
    JSON.stringify({
      eventType: 'Bounce',
      mail: { timestamp: '2026-11-20T09:00:00.000Z', messageId: 'm-1' },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2026-11-20T09:00:01.000Z', ...fields },
    });

  it.each([
    ['not JSON', '{"eventType": "Bounce", ', /not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['no type at all', '{"mail": {}}', /neither eventType nor notificationType/],
    ['a Bounce without its bounce object', '{"eventType": "Bounce", "mail": {}}', /Bounce has no bounce object/],
    ['a Complaint without its complaint object', '{"notificationType": "Complaint"}', /no complaint object/],
    ['a bounce without recipients', bounce({}), /no bouncedRecipients list/],
    ['a recipient without an address', bounce({ bouncedRecipients: [{ status: '5.1.1' }] }), /bouncedRecipients\[0\]/],
    [
      'an unreadable timestamp',
      bounce({ bouncedRecipients: [{ emailAddress: 'a@example.org' }], timestamp: 'yesterday' }),
      /unreadable timestamp "yesterday"/,
    ],
  ])('throws a FeedmailError for %s, saying what is wrong', (_case, message, reason) => {
    // Prepare: the table row.
    // Act
    const parse = () => parseSesFeedback(message);
    // Assess
    expect(parse).toThrow(FeedmailError);
    expect(parse).toThrow(reason);
  });

  it('returns nothing for types it does not act on', () => {
    // Prepare
    const messages = ['Send', 'Reject', 'DeliveryDelay', 'Subscription', 'SomethingNew'].map((eventType) =>
      JSON.stringify({ eventType, mail: { messageId: 'm-1' } }),
    );
    // Act
    const events = messages.flatMap(parseSesFeedback);
    // Assess
    expect(events).toEqual([]);
  });

  it('falls back to the mail timestamp and omits a missing message id', () => {
    // Prepare
    const message = JSON.stringify({
      notificationType: 'Complaint',
      mail: { timestamp: '2026-11-20T08:00:00.000Z' },
      complaint: { complainedRecipients: [{ emailAddress: 'reader@example.org' }] },
    });
    // Act
    const events = parseSesFeedback(message);
    // Assess
    expect(events).toEqual([
      {
        kind: 'complaint',
        address: 'reader@example.org',
        at: '2026-11-20T08:00:00.000Z',
        detail: 'complaint: unspecified',
      },
    ]);
  });

  it('treats a bounce type it does not know as transient, never as permanent', () => {
    // Prepare
    const message = bounce({ bounceType: 'Sideways', bouncedRecipients: [{ emailAddress: 'a@example.org' }] });
    // Act
    const [event] = parseSesFeedback(message);
    // Assess
    expect(event).toMatchObject({ kind: 'transient-bounce', detail: 'Sideways/General' });
  });
});

describe('parseSesFeedback and not-spam reports', () => {
  it('reads a complaint whose feedback type is not-spam as no complaint at all', () => {
    const message = JSON.parse(fixture('event-complaint.json')) as { complaint: Record<string, unknown> };
    message.complaint.complaintFeedbackType = 'not-spam';

    expect(parseSesFeedback(JSON.stringify(message))).toEqual([]);
  });
});
