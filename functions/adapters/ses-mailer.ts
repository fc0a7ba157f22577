import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer } from '../app/ports.ts';
import { FeedmailError, MailOutcomeUnknownError, MailRejectedError, MailThrottledError } from '../core/errors.ts';

export interface SesMailerOptions {
  client?: SESClient;
  /** SES configuration set for event publishing (bounces, complaints); given per call, not as a header. */
  configurationSetName?: string;
}

/**
 * SES v1 errors that refuse this message for good: retrying the same message cannot succeed. Sending paused
 * (account or configuration set) is here too: it lasts until a person acts, far longer than any back-off.
 * Names from the SendRawEmail API reference and the SDK's models; `InvalidParameterValue` is what SES answers
 * for an address it cannot parse ("Illegal address").
 */
const REJECTED = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
]);

/** Over the sending rate or daily quota SES answers `Throttling` ("Maximum sending rate exceeded"). */
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
/** No connection was made: SES never saw the request, so sending again is safe. */
const UNREACHED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** The request went out and no answer came back: SES may have accepted it, so sending again could duplicate it. */
const UNANSWERED = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const UNANSWERED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const isThrottled = (error: SdkErrorShape): boolean => {
  const status = error.$metadata?.httpStatusCode ?? 0;
  return (
    THROTTLED.has(error.name ?? '') ||
    /maximum sending rate exceeded|daily message quota exceeded/i.test(error.message ?? '') ||
    status === 429 ||
    status >= 500 ||
    UNREACHED_CODES.has(error.code ?? '')
  );
};

const isUnanswered = (error: SdkErrorShape): boolean =>
  UNANSWERED.has(error.name ?? '') || UNANSWERED_CODES.has(error.code ?? '');

/** Turns an SDK error into the Mailer port's errors; anything else (permissions, credentials) stays unexpected. */
const toMailError = (error: unknown): Error => {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const detail = `${shape.name ?? 'Error'}: ${shape.message ?? String(error)}`;
  if (REJECTED.has(shape.name ?? ''))
    return new MailRejectedError(`SES rejected the message (${detail})`, { cause: error });
  if (isUnanswered(shape))
    return new MailOutcomeUnknownError(`SES did not answer; the message may have been sent (${detail})`, {
      cause: error,
    });
  if (isThrottled(shape))
    return new MailThrottledError(`SES is throttling or unavailable (${detail})`, { cause: error });
  return new FeedmailError(`SES SendRawEmail failed (${detail})`, { cause: error });
};

/**
 * Sends raw messages through SES v1 SendRawEmail, one recipient per call. The SDK retries throttling a few times
 * itself; what still fails reaches the caller as MailThrottledError, to back off and retry later.
 */
export const createSesMailer = (options: SesMailerOptions = {}): Mailer => {
  const client = options.client ?? new SESClient({});
  return {
    send: async (message) => {
      let response: { MessageId?: string | undefined };
      try {
        response = await client.send(
          new SendRawEmailCommand({
            RawMessage: { Data: message.raw },
            Source: message.from,
            Destinations: [message.to],
            ...(options.configurationSetName === undefined
              ? {}
              : { ConfigurationSetName: options.configurationSetName }),
          }),
        );
      } catch (error) {
        throw toMailError(error);
      }
      if (!response.MessageId) throw new FeedmailError('SES accepted the message but returned no MessageId.');
      return { messageId: response.MessageId };
    },
  };
};
