/** Base of every error this project throws on purpose; `cause` keeps the original. */
export class FeedmailError extends Error {
  override name = 'FeedmailError';
}

/** Configuration that cannot be used; the message lists every bad key. */
export class ConfigError extends FeedmailError {
  override name = 'ConfigError';
}

/** A conditional write lost against a newer or concurrent one. */
export class ConflictError extends FeedmailError {
  override name = 'ConflictError';
}

/**
 * A record read back from a store does not have the shape this code writes: damaged by hand, or written by
 * something else. The message names the table, the record and every field that is wrong; `cause` keeps the
 * validation error.
 */
export class StoredRecordError extends FeedmailError {
  override name = 'StoredRecordError';
  readonly table: string;
  readonly record: string;
  readonly fields: readonly string[];

  constructor(
    where: { table: string; record: string; fields: readonly string[] },
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.table = where.table;
    this.record = where.record;
    this.fields = where.fields;
  }
}

/** SES (or the stand-in) refused a message for good: a bad address, an unverified sender. Not retried. */
export class MailRejectedError extends FeedmailError {
  override name = 'MailRejectedError';
}

/** SES is over its rate or briefly unavailable: retry later with back-off. */
export class MailThrottledError extends FeedmailError {
  override name = 'MailThrottledError';
}

/**
 * The request may have reached SES and been accepted, but no answer came (a timeout, a connection reset): sending
 * again could deliver the message twice. The digest sender never retries these.
 */
export class MailOutcomeUnknownError extends FeedmailError {
  override name = 'MailOutcomeUnknownError';
}

/**
 * SES refuses all sending for now (account or configuration set paused, sender not verified, no permission): the
 * message was not sent, and neither would any other be until a person acts. Senders stop and hand work back.
 */
export class MailBlockedError extends FeedmailError {
  override name = 'MailBlockedError';
}

/**
 * What went wrong, as one string for a log line or a message, whatever was thrown (an Error, a string, anything).
 * `named` puts the error's class first, for logs read by operators; `stack` gives the whole stack where there is one.
 * @example describeError(new TypeError('x is undefined'), { named: true }) // 'TypeError: x is undefined'
 */
export const describeError = (error: unknown, options: { named?: boolean; stack?: boolean } = {}): string => {
  if (!(error instanceof Error)) return String(error);
  if (options.stack && error.stack) return error.stack;
  return options.named ? `${error.name}: ${error.message}` : error.message;
};
