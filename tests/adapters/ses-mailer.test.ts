import {
  AccountSendingPausedException,
  ConfigurationSetDoesNotExistException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  type SESClient,
  SESServiceException,
  type SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { createSendingClient, createSesMailer } from '../../functions/adapters/ses-mailer.ts';
import type { OutgoingMessage } from '../../functions/app/ports.ts';
import {
  MailBlockedError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailThrottledError,
} from '../../functions/core/errors.ts';

/*
 * A fake SESClient, on purpose: no local stand-in for SES throttles, pauses sending or rejects a sender, so these
 * faults can only be produced by throwing what the SDK throws (its own exception classes, or SESServiceException with
 * the code SES answers, for the unmodelled `Throttling`). The happy path checks the exact SendRawEmail input.
 */
const fakeClient = (answer: () => unknown) => {
  const commands: SendRawEmailCommand[] = [];
  const client = {
    send: async (command: SendRawEmailCommand) => {
      commands.push(command);
      return answer();
    },
  } as unknown as SESClient;
  return { client, commands };
};

const makeMessage = (): OutgoingMessage => ({
  from: 'news@notes.example',
  to: 'ada@example.org',
  raw: new TextEncoder().encode('From: news@notes.example\r\nTo: ada@example.org\r\nSubject: x\r\n\r\nhello\r\n'),
});

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, attempts: 3 } });

const serviceError = (name: string, message: string, status: number) =>
  new SESServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', ...metadata(status) });

/** Sends one message through a client that throws `thrown`, and returns what the mailer threw. */
const sendFailingWith = (thrown: unknown): Promise<unknown> => {
  const { client } = fakeClient(() => {
    throw thrown;
  });
  return createSesMailer({ client })
    .send(makeMessage())
    .catch((caught: unknown) => caught);
};

describe('createSesMailer', () => {
  it('sends the raw bytes to the one recipient with the configuration set, returning the SES message id', async () => {
    // Prepare
    const { client, commands } = fakeClient(() => ({ MessageId: '0100018c-abc', $metadata: {} }));
    const message = makeMessage();

    // Act
    const result = await createSesMailer({ client, configurationSetName: 'feedmail' }).send(message);

    // Assess
    expect(result).toEqual({ messageId: '0100018c-abc' });
    expect(commands[0]?.input).toEqual({
      RawMessage: { Data: message.raw },
      Source: 'news@notes.example',
      Destinations: ['ada@example.org'],
      ConfigurationSetName: 'feedmail',
    });
  });

  it('leaves out ConfigurationSetName when none is configured', async () => {
    // Prepare
    const { client, commands } = fakeClient(() => ({ MessageId: 'id', $metadata: {} }));

    // Act
    await createSesMailer({ client }).send(makeMessage());

    // Assess
    expect(commands[0]?.input).not.toHaveProperty('ConfigurationSetName');
  });

  const opts = { message: 'x', ...metadata(400) };
  it.each([
    ['Throttling (rate)', serviceError('Throttling', 'Maximum sending rate exceeded.', 400), MailThrottledError],
    ['Throttling (daily quota)', serviceError('Throttling', 'Daily message quota exceeded.', 400), MailThrottledError],
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate exceeded', 400), MailThrottledError],
    [
      'an unnamed error over the rate',
      serviceError('Unknown', 'Maximum sending rate exceeded', 400),
      MailThrottledError,
    ],
    ['a 503', serviceError('ServiceUnavailable', 'Service Unavailable', 503), MailThrottledError],
    ['a 500', serviceError('InternalFailure', 'Internal failure', 500), MailOutcomeUnknownError],
    ['an error without an answer', new Error('premature close'), MailOutcomeUnknownError],
    ['a refused connection', Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }), MailThrottledError],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), MailOutcomeUnknownError],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), MailOutcomeUnknownError],
    ['MessageRejected', new MessageRejected({ ...opts, message: 'Email address is not verified.' }), MailRejectedError],
    ['MailFromDomainNotVerified', new MailFromDomainNotVerifiedException(opts), MailBlockedError],
    ['ConfigurationSetDoesNotExist', new ConfigurationSetDoesNotExistException(opts), MailBlockedError],
    ['AccountSendingPaused', new AccountSendingPausedException(opts), MailBlockedError],
    ['an illegal address', serviceError('InvalidParameterValue', 'Illegal address', 400), MailRejectedError],
  ])('maps %s to the port error, keeping the cause', async (_case, thrown, expected) => {
    // Act
    const error = await sendFailingWith(thrown);

    // Assess
    expect(error).toBeInstanceOf(expected);
    expect((error as Error).cause).toBe(thrown);
  });

  it('reports a refusal of the request itself (permissions, credentials) as blocked sending', async () => {
    // Prepare
    const thrown = serviceError('AccessDenied', 'not authorized to perform ses:SendRawEmail', 403);

    // Act
    const error = await sendFailingWith(thrown);

    // Assess
    expect(error).toBeInstanceOf(MailBlockedError);
    expect(error).not.toBeInstanceOf(MailRejectedError);
    expect(error).not.toBeInstanceOf(MailThrottledError);
    expect((error as Error).message).toContain('AccessDenied');
  });
});

describe('createSendingClient', () => {
  it('makes one attempt per call, so the SDK never sends a message twice on its own', async () => {
    // Act
    const client = createSendingClient({ region: 'eu-west-1' });

    // Assess
    expect(await client.config.maxAttempts()).toBe(1);
    expect(await client.config.region()).toBe('eu-west-1');
  });
});
