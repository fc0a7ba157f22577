/**
 * Reads the bounce and complaint notifications SES publishes to SNS, in both of its formats:
 * - event publishing through a configuration set: `eventType` (Bounce, Complaint, Delivery, Send, Open, ...);
 * - feedback notifications set on an identity: `notificationType` (Bounce, Complaint, Delivery).
 * Apart from that field the two carry the same `mail`, `bounce` and `complaint` objects
 * (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html,
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
 *
 * SES may add fields at any time and may batch several recipients into one notification, so only the fields read
 * here are checked, and every affected recipient becomes an event of its own.
 */
import { z } from 'zod';
import type { FeedbackEvent, FeedbackKind } from '../core/subscribers/ses-feedback.ts';
import { checkMessage, MessageError, parseMessage } from './parse-message.ts';

/** The SNS topic of the configuration set's bounces and complaints, for the error of a message that cannot be read. */
export const FEEDBACK_TOPIC = 'SES feedback topic';

/** A text field: trimmed, and absent when empty or not a string (SES leaves out what it does not know). */
const text = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined));

/** `"Ada" <ada@example.org>` and `Ada <ada@example.org>` give `ada@example.org`; a bare address is trimmed. */
const addressOf = (recipient: string): string => {
  const angle = /<([^<>]*)>\s*$/.exec(recipient);
  return (angle?.[1] ?? recipient).trim();
};

/** The recipients list (`bouncedRecipients`, `complainedRecipients`), each entry's `emailAddress` checked. */
const recipients = (list: string) =>
  z.array(
    z.looseObject({
      emailAddress: z
        .string()
        .transform(addressOf)
        .refine((address) => address !== '', 'no address in it'),
      status: text,
      diagnosticCode: text,
    }),
    { error: `no ${list} list` },
  );

/** The type, and the mail the feedback is about: its id and time, where SES gives them. */
const notification = z.looseObject({
  eventType: text,
  notificationType: text,
  mail: z.looseObject({ messageId: text, timestamp: text }).optional().catch(undefined),
});

const bounceNotification = z.object({
  bounce: z.looseObject(
    { bounceType: text, bounceSubType: text, timestamp: text, bouncedRecipients: recipients('bouncedRecipients') },
    { error: 'a Bounce has no bounce object' },
  ),
});

/** The complaint's fields; its recipients are read only once it is known to be a complaint (see complaintEvents). */
const complaintNotification = z.object({
  complaint: z.looseObject(
    { complaintFeedbackType: text, complaintSubType: text, timestamp: text },
    { error: 'a Complaint has no complaint object' },
  ),
});

const complainedRecipients = z.object({
  complaint: z.looseObject({ complainedRecipients: recipients('complainedRecipients') }),
});

type Mail = z.output<typeof notification>['mail'];

/** The feedback's own timestamp, else the mail's, as an ISO instant. */
const instantOf = (part: 'bounce' | 'complaint', timestamp: string | undefined, mail: Mail): string => {
  const value = timestamp ?? mail?.timestamp;
  const field = timestamp === undefined ? 'mail.timestamp' : `${part}.timestamp`;
  if (value === undefined) {
    throw new MessageError(FEEDBACK_TOPIC, [
      { field: `${part}.timestamp`, problem: 'missing, and so is mail.timestamp' },
    ]);
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new MessageError(FEEDBACK_TOPIC, [{ field, problem: `unreadable timestamp "${value}"` }]);
  return new Date(time).toISOString();
};

/**
 * Undetermined bounces (SES could not tell) count as transient: suppressing an address on an ambiguous signal would
 * drop a reader who may well be reachable. Permanent bounces include the subtypes `Suppressed` and
 * `OnAccountSuppressionList`, where SES did not even try because the address bounced before: for this list that is
 * as final as a bounce from the recipient's server.
 */
const bounceEvents = (json: unknown, mail: Mail): FeedbackEvent[] => {
  const { bounce } = checkMessage(FEEDBACK_TOPIC, bounceNotification, json);
  const type = bounce.bounceType ?? 'Undetermined';
  const subType = bounce.bounceSubType ?? 'Undetermined';
  const kind: FeedbackKind = type === 'Permanent' ? 'permanent-bounce' : 'transient-bounce';
  const at = instantOf('bounce', bounce.timestamp, mail);
  const messageId = mail?.messageId;
  return bounce.bouncedRecipients.map((entry) => ({
    kind,
    address: entry.emailAddress,
    at,
    detail: [`${type}/${subType}`, entry.status, entry.diagnosticCode].filter(Boolean).join(' '),
    ...(messageId ? { messageId } : {}),
  }));
};

/**
 * A complaint with `complaintSubType: OnAccountSuppressionList` was not sent at all: the address is on the
 * account's suppression list after an earlier complaint. It is still a complaint about this list (the reader
 * asked not to get our mail), so it is reported as one, and the detail says why.
 */
const complaintEvents = (json: unknown, mail: Mail): FeedbackEvent[] => {
  const { complaint } = checkMessage(FEEDBACK_TOPIC, complaintNotification, json);
  // ARF's `not-spam`: the reader's mailbox reports that they marked the mail as wanted, the opposite of a complaint.
  if (complaint.complaintFeedbackType?.toLowerCase() === 'not-spam') return [];
  const reasons = [complaint.complaintFeedbackType, complaint.complaintSubType].filter(Boolean);
  const at = instantOf('complaint', complaint.timestamp, mail);
  const messageId = mail?.messageId;
  return checkMessage(FEEDBACK_TOPIC, complainedRecipients, json).complaint.complainedRecipients.map((entry) => ({
    kind: 'complaint',
    address: entry.emailAddress,
    at,
    detail: `complaint: ${reasons.join(' ') || 'unspecified'}`,
    ...(messageId ? { messageId } : {}),
  }));
};

/**
 * The bounces and complaints in one SNS message from SES, one event per affected recipient. Deliveries, opens and
 * every other type give none. Throws a MessageError naming the topic and every field that is wrong when the message
 * is not an SES notification, or a bounce or complaint lacks what it needs to be acted on.
 * @example parseSesFeedback(record.Sns.Message) // [{ kind: 'complaint', address: 'complaint@simulator.amazonses.com', ... }]
 */
export const parseSesFeedback = (message: string): FeedbackEvent[] => {
  const json = parseMessage(FEEDBACK_TOPIC, notification, message);
  const type = json.eventType ?? json.notificationType;
  if (type === undefined) {
    throw new MessageError(FEEDBACK_TOPIC, [{ field: '', problem: 'neither eventType nor notificationType is given' }]);
  }
  switch (type) {
    case 'Bounce':
      return bounceEvents(json, json.mail);
    case 'Complaint':
      return complaintEvents(json, json.mail);
    default:
      return [];
  }
};
