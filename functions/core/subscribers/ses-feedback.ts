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
import { FeedmailError } from '../errors.ts';

export type FeedbackKind = 'permanent-bounce' | 'transient-bounce' | 'complaint';

/** What one notification says about one recipient. */
export interface FeedbackEvent {
  kind: FeedbackKind;
  /** The recipient as SES reported it, display name removed; not normalised (see email-address.ts). */
  address: string;
  /** When the bounce or complaint happened (ISO 8601, UTC). */
  at: string;
  /** For the operator: `Permanent/General 5.1.1 smtp; 550 5.1.1 user unknown`, `complaint: abuse`. */
  detail: string;
  /** The SES message id of the mail that caused it. */
  messageId?: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const malformed = (what: string): FeedmailError => new FeedmailError(`SES feedback notification ${what}`);

/** `"Ada" <ada@example.org>` and `Ada <ada@example.org>` give `ada@example.org`; a bare address is trimmed. */
const addressOf = (recipient: string): string => {
  const angle = /<([^<>]*)>\s*$/.exec(recipient);
  return (angle?.[1] ?? recipient).trim();
};

/** The recipients list (`bouncedRecipients`, `complainedRecipients`), each entry's `emailAddress` checked. */
const recipientsOf = (object: Json, field: string): { address: string; entry: Json }[] => {
  const list = object[field];
  if (!Array.isArray(list)) throw malformed(`has no ${field} list`);
  return list.map((entry: unknown, index) => {
    const address = isObject(entry) ? text(entry.emailAddress) : undefined;
    if (address === undefined || addressOf(address) === '') {
      throw malformed(`has no emailAddress in ${field}[${index}]`);
    }
    return { address: addressOf(address), entry: entry as Json };
  });
};

/** The feedback's own timestamp, else the mail's, as an ISO instant. */
const instantOf = (feedback: Json, mail: Json | undefined, type: string): string => {
  const value = text(feedback.timestamp) ?? text(mail?.timestamp);
  if (value === undefined) throw malformed(`(${type}) has no timestamp`);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw malformed(`(${type}) has an unreadable timestamp "${value}"`);
  return new Date(time).toISOString();
};

/**
 * Undetermined bounces (SES could not tell) count as transient: suppressing an address on an ambiguous signal would
 * drop a reader who may well be reachable. Permanent bounces include the subtypes `Suppressed` and
 * `OnAccountSuppressionList`, where SES did not even try because the address bounced before: for this list that is
 * as final as a bounce from the recipient's server.
 */
const bounceEvents = (bounce: Json, mail: Json | undefined, messageId: string | undefined): FeedbackEvent[] => {
  const type = text(bounce.bounceType) ?? 'Undetermined';
  const subType = text(bounce.bounceSubType) ?? 'Undetermined';
  const kind: FeedbackKind = type === 'Permanent' ? 'permanent-bounce' : 'transient-bounce';
  const at = instantOf(bounce, mail, 'Bounce');
  return recipientsOf(bounce, 'bouncedRecipients').map(({ address, entry }) => ({
    kind,
    address,
    at,
    detail: [`${type}/${subType}`, text(entry.status), text(entry.diagnosticCode)].filter(Boolean).join(' '),
    ...(messageId ? { messageId } : {}),
  }));
};

/**
 * A complaint with `complaintSubType: OnAccountSuppressionList` was not sent at all: the address is on the
 * account's suppression list after an earlier complaint. It is still a complaint about this list (the reader
 * asked not to get our mail), so it is reported as one, and the detail says why.
 */
const complaintEvents = (complaint: Json, mail: Json | undefined, messageId: string | undefined): FeedbackEvent[] => {
  // ARF's `not-spam`: the reader's mailbox reports that they marked the mail as wanted, the opposite of a complaint.
  if (text(complaint.complaintFeedbackType)?.toLowerCase() === 'not-spam') return [];
  const reasons = [text(complaint.complaintFeedbackType), text(complaint.complaintSubType)].filter(Boolean);
  const at = instantOf(complaint, mail, 'Complaint');
  return recipientsOf(complaint, 'complainedRecipients').map(({ address }) => ({
    kind: 'complaint',
    address,
    at,
    detail: `complaint: ${reasons.join(' ') || 'unspecified'}`,
    ...(messageId ? { messageId } : {}),
  }));
};

/**
 * The bounces and complaints in one SNS message from SES, one event per affected recipient. Deliveries, opens and
 * every other type give none. Throws a FeedmailError saying what is wrong when the message is not an SES
 * notification, or a bounce or complaint lacks what it needs to be acted on.
 * @example parseSesFeedback(record.Sns.Message) // [{ kind: 'complaint', address: 'complaint@simulator.amazonses.com', ... }]
 */
export const parseSesFeedback = (message: string): FeedbackEvent[] => {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch (error) {
    throw new FeedmailError(`SES feedback notification is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(json)) throw malformed('is not a JSON object');
  const type = text(json.eventType) ?? text(json.notificationType);
  if (type === undefined) throw malformed('has neither eventType nor notificationType');
  const mail = isObject(json.mail) ? json.mail : undefined;
  const messageId = text(mail?.messageId);
  switch (type) {
    case 'Bounce':
      if (!isObject(json.bounce)) throw malformed('of type Bounce has no bounce object');
      return bounceEvents(json.bounce, mail, messageId);
    case 'Complaint':
      if (!isObject(json.complaint)) throw malformed('of type Complaint has no complaint object');
      return complaintEvents(json.complaint, mail, messageId);
    default:
      return [];
  }
};
