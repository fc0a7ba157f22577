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
