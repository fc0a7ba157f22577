import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer } from '../app/ports.ts';
import { MailBlockedError, MailOutcomeUnknownError, MailRejectedError, MailThrottledError } from '../core/errors.ts';

export interface SesMailerOptions {
  /** The client to send with (a fake one in tests); by default one made by createSendingClient. */
  client?: SESClient;
  /** The region of the client made here; by default the SDK's (AWS_REGION in Lambda). */
  region?: string;
  /** SES configuration set for event publishing (bounces, complaints); given per call, not as a header. */
  configurationSetName?: string;
}

/**
 * The SES client for SendRawEmail: one attempt, because a retry after a lost answer could send the message twice
 * (callers retry throttling themselves, where SES's answer says the message was not accepted), and a bounded wait,
 * because a call still open at the Lambda timeout would leave its recipient uncertain.
 * @example createSendingClient({ region: 'eu-west-1' })
 */
export const createSendingClient = (options: { region?: string | undefined } = {}): SESClient =>
  new SESClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
    ...(options.region === undefined ? {} : { region: options.region }),
  });

/**
 * SES v1 errors that refuse this one message: retrying it cannot succeed, other recipients are unaffected. Names from
 * the SendRawEmail API reference; `InvalidParameterValue` is what SES answers for an address it cannot parse.
 */
const REJECTED = new Set(['MessageRejected', 'InvalidParameterValue']);

/**
 * Errors that stop all sending until a person acts (a paused account or configuration set, an unverified sender):
 * the message was not sent, and failing every recipient one by one would only burn the digest.
 */
const BLOCKED = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'MailFromDomainNotVerifiedException',
]);

/** Over the sending rate or daily quota SES answers `Throttling` ("Maximum sending rate exceeded"). */
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable']);
/** No connection was made: SES never saw the request, so sending again is safe. */
const UNREACHED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Turns an SDK error into the Mailer port's errors. Only an answer SES gave counts as "not sent": throttling (429,
 * 503, the throttling names), a refusal (4xx), or a connection never made. Everything else (a timeout, a reset
 * connection, a 500, an error nobody anticipated) may have come after SES accepted the message, so it is
 * MailOutcomeUnknownError: a digest sender never retries those, a duplicate being worse than a miss.
 */
const toMailError = (error: unknown): Error => {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = shape.name ?? '';
  const status = shape.$metadata?.httpStatusCode ?? 0;
  const detail = `${name || 'Error'}: ${shape.message ?? String(error)}`;
  if (REJECTED.has(name)) return new MailRejectedError(`SES rejected the message (${detail})`, { cause: error });
  if (BLOCKED.has(name)) return new MailBlockedError(`SES refuses to send for now (${detail})`, { cause: error });
  const throttled =
    THROTTLED.has(name) ||
    /maximum sending rate exceeded|daily message quota exceeded/i.test(shape.message ?? '') ||
    status === 429 ||
    status === 503 ||
    UNREACHED_CODES.has(shape.code ?? '');
  if (throttled) return new MailThrottledError(`SES is throttling or unavailable (${detail})`, { cause: error });
  // Any other answer in the 4xx range (AccessDenied, a signature problem): not sent, and nothing would be.
  if (status >= 400 && status < 500) {
    return new MailBlockedError(`SES refused the request (${detail})`, { cause: error });
  }
  return new MailOutcomeUnknownError(`SES gave no usable answer; the message may have been sent (${detail})`, {
    cause: error,
  });
};

/**
 * Sends raw messages through SES v1 SendRawEmail, one recipient per call, with a client that never retries on its
 * own (createSendingClient) unless another one is given.
 * @example createSesMailer({ configurationSetName: 'feedmail' })
 */
export const createSesMailer = (options: SesMailerOptions = {}): Mailer => {
  const client = options.client ?? createSendingClient({ region: options.region });
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
      if (!response.MessageId) {
        throw new MailOutcomeUnknownError('SES answered without a MessageId; the message may have been sent.');
      }
      return { messageId: response.MessageId };
    },
  };
};
