/**
 * Builds the raw RFC 5322 message SES receives with SendRawEmail: multipart/alternative (text, then HTML), headers
 * encoded by nodemailer's MailComposer. Raw mail because only raw mail carries List-Unsubscribe and friends through
 * SES v1 (SendBulkTemplatedEmail cannot), and because the local outbox can then show exactly what SES would get.
 *
 * MailComposer alone adds no X-Mailer (that is nodemailer's transport), and it is told to refuse file and URL
 * content, so a value can never make it read a file or fetch a URL.
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWords, quoteString } from 'nodemailer/lib/mime-funcs';
import { FeedmailError } from '../errors.ts';

/** SendRawEmail refuses messages over 10 MB. */
export const MAX_RAW_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface MailAddress {
  address: string;
  name?: string;
}

export interface MessageInput {
  from: MailAddress;
  to: MailAddress;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  /** The Date header. */
  now: Date;
  /** Left part of the Message-ID (`<id@sender's domain>`); a random UUID when absent. */
  messageId?: string;
  /** List-Id (RFC 2919): `name` is shown by mail apps, `id` is a stable dotted name such as `notes.example.org`. */
  listId?: { name: string; id: string };
  /**
   * List-Unsubscribe (RFC 2369) with one-click (RFC 8058): the https URL takes a POST that unsubscribes at once; an
   * optional mailto address is offered beside it. Plain http only for localhost (the local run).
   */
  unsubscribe?: { url: string; mailto?: string };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** Enough to keep a second address, a display name or a header out of an address field; syntax is checked upstream. */
const BARE_ADDRESS = /^[^\s<>(),;:"@]+@[^\s<>(),;:"@]+$/;

/** Header values end at a line break: one in a value would start a header of the caller's choosing. */
const checkHeaderValue = (header: string, value: string | undefined): void => {
  if (value !== undefined && CONTROL.test(value)) {
    throw new FeedmailError(`The ${header} header value contains a line break or another control character.`);
  }
};

const checkAddress = (header: string, address: string): void => {
  checkHeaderValue(header, address);
  if (!BARE_ADDRESS.test(address)) throw new FeedmailError(`The ${header} address must be one bare address.`);
};

/** A header MailComposer must emit as given (it would otherwise MIME-encode the `<…>` parts), folded at spaces. */
const prepared = (value: string) => ({ prepared: true, foldLines: true, value });

const listIdHeader = ({ name, id }: { name: string; id: string }): string => {
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(id)) throw new FeedmailError('The List-Id id must be a dotted name.');
  // Printable ASCII can be quoted; anything else is MIME-encoded (RFC 2047).
  const phrase = /^[\u0020-\u007e]*$/.test(name) ? quoteString(name) : encodeWords(name, 'Q', 52, true);
  return `${phrase} <${id}>`;
};

/** Hosts only this machine can reach: the local run's outbox mail points there, and no mail app ever POSTs to it. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** RFC 8058 one-click needs https; plain http is let through for the local run's own address only. */
const isOneClickUrl = (url: string): boolean => {
  // Angle brackets or spaces would end the URI early in the header.
  if (!/^https?:\/\/[^\s<>]+$/.test(url) || !URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || LOOPBACK_HOSTS.has(hostname);
};

const listUnsubscribeHeader = ({ url, mailto }: { url: string; mailto?: string }): string => {
  if (!isOneClickUrl(url)) {
    throw new FeedmailError('The List-Unsubscribe URL must be an https URL (or http on localhost, for the local run).');
  }
  if (mailto !== undefined && !/^mailto:[^\s<>]+$/.test(mailto)) {
    throw new FeedmailError('The List-Unsubscribe mail address must be a mailto: URL.');
  }
  return mailto === undefined ? `<${url}>` : `<${url}>, <${mailto}>`;
};

/**
 * Composes one message for one recipient and returns its bytes (CRLF line ends).
 * @example
 * const raw = await composeMessage({ from: { address: 'news@notes.example', name: 'Notes' }, to: { address: 'ada@example.org' },
 *   subject: 'Confirm your subscription', text, html, now: new Date() });
 */
export const composeMessage = async (input: MessageInput): Promise<Uint8Array> => {
  checkAddress('From', input.from.address);
  checkAddress('To', input.to.address);
  if (input.replyTo !== undefined) checkAddress('Reply-To', input.replyTo);
  checkHeaderValue('From', input.from.name);
  checkHeaderValue('To', input.to.name);
  checkHeaderValue('Subject', input.subject);
  checkHeaderValue('Message-ID', input.messageId);
  checkHeaderValue('List-Id', input.listId?.name);
  checkHeaderValue('List-Unsubscribe', input.unsubscribe?.url);
  checkHeaderValue('List-Unsubscribe', input.unsubscribe?.mailto);
  const id = input.messageId ?? randomUUID();
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(id)) throw new FeedmailError('The Message-ID must be a dot-atom.');

  const headers: Record<string, ReturnType<typeof prepared>> = {};
  if (input.listId) headers['List-Id'] = prepared(listIdHeader(input.listId));
  if (input.unsubscribe) {
    headers['List-Unsubscribe'] = prepared(listUnsubscribeHeader(input.unsubscribe));
    headers['List-Unsubscribe-Post'] = prepared('List-Unsubscribe=One-Click');
  }
  const domain = input.from.address.slice(input.from.address.lastIndexOf('@') + 1);
  const composer = new MailComposer({
    from: { name: input.from.name ?? '', address: input.from.address },
    to: { name: input.to.name ?? '', address: input.to.address },
    ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
    subject: input.subject,
    date: input.now,
    messageId: `<${id}@${domain}>`,
    text: input.text,
    html: input.html,
    headers,
    newline: 'win',
    // Quoted-printable always: otherwise MailComposer scans every part and header character by character to choose
    // between QP and base64, a third of the time a digest takes per recipient. QP keeps mostly-ASCII HTML near its
    // size (base64 adds a third, which may count against Gmail's clipping limit); text in a non-Latin script grows.
    textEncoding: 'quoted-printable',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  if (raw.byteLength > MAX_RAW_MESSAGE_BYTES) {
    throw new FeedmailError(`The message is ${raw.byteLength} bytes; SES accepts at most ${MAX_RAW_MESSAGE_BYTES}.`);
  }
  return raw;
};
