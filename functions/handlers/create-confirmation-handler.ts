import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { SubscribeRequest, WelcomeRequest } from '../app/ports.ts';
import { handleSubscribeRequest, handleWelcomeRequest, type SubscriptionDeps } from '../app/subscriptions.ts';
import { normalizeAddress } from '../core/subscribers/email-address.ts';
import { normalizeName } from '../core/subscribers/subscriber-name.ts';
import { checkMessage, parseMessage } from './parse-message.ts';
import { processSqsBatch } from './sqs-batch.ts';

export type ConfirmationHandler = (
  event: SQSEvent,
  context?: { getRemainingTimeInMillis?: () => number },
) => Promise<SQSBatchResponse>;

/**
 * No request is started with less time than this left before the Lambda timeout: one request can take a table
 * read and write, an SES call of up to 13 s (connection and request timeouts) and its throttling back-off. A
 * request cut off by the timeout would come back with the whole batch, its cooldown already taken.
 */
export const CONFIRMATION_TIME_RESERVE_MS = 25_000;

/** Where the subscription API puts subscribe and welcome requests, for the error of a message that cannot be read. */
export const CONFIRMATION_QUEUE = 'confirmation queue';

/** An address checked again and normalised: the message's own key is not trusted, it is derived here. */
const address = z.string().transform((value, context) => {
  const normalized = normalizeAddress(value);
  if (normalized.ok) return normalized.value;
  context.addIssue({ code: 'custom', message: `cannot be used: ${normalized.reason}` });
  return z.NEVER;
});

const date = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected a date');

const welcomeRequest = z.object({
  kind: z.literal('welcome'),
  key: address.transform(({ key }) => key),
  confirmedAt: date,
});

const subscribeRequest = z
  .object({
    address,
    // A name that is not a string is ignored (the form's field is optional); a string must be one a mail may carry.
    name: z
      .unknown()
      .optional()
      .transform((value, context) => {
        if (typeof value !== 'string') return undefined;
        const checked = normalizeName(value);
        if (checked.ok) return checked.value;
        context.addIssue({ code: 'custom', message: `cannot be used: ${checked.reason}` });
        return z.NEVER;
      }),
    via: z.enum(['form', 'api']),
    requestedAt: date,
  })
  .transform(
    ({ address, name, via, requestedAt }): SubscribeRequest => ({
      address: address.address,
      key: address.key,
      ...(name ? { name } : {}),
      via,
      requestedAt,
    }),
  );

/** Any JSON object; its `kind` says which request it is (welcome requests have one, subscribe requests none). */
const queuedRequest = z.looseObject({ kind: z.unknown().optional() });

/**
 * Reads one queued request. Only the API can put messages on the queue, but the address and name are checked
 * again all the same: a message is data, and a bad one must not reach a mail header.
 * @example parseSubscribeRequest('{"kind":"welcome","key":5}') // throws: confirmation queue message: field "key": expected a string; field "confirmedAt": missing
 */
export const parseSubscribeRequest = (body: string): SubscribeRequest | WelcomeRequest => {
  const message = parseMessage(CONFIRMATION_QUEUE, queuedRequest, body);
  return message.kind === 'welcome'
    ? checkMessage(CONFIRMATION_QUEUE, welcomeRequest, message)
    : checkMessage(CONFIRMATION_QUEUE, subscribeRequest, message);
};

/**
 * Subscribe requests from the API's queue -> decide each and mail its confirmation; welcome requests (an address
 * just confirmed) -> the welcome mail, once. A request SES could not take
 * yet (throttling, sending paused) is reported as failed, so SQS delivers it again after its visibility timeout and,
 * after a few tries, moves it to the dead-letter queue, where an alarm sees it. A failure that a retry cannot mend
 * (SES refused the address, an answer lost after sending) and an unreadable message are logged and dropped. Near
 * the Lambda timeout the remaining requests are handed back unstarted.
 */
export const createConfirmationHandler =
  (deps: SubscriptionDeps): ConfirmationHandler =>
  (event, context) =>
    processSqsBatch(event, {
      log: deps.log,
      kind: 'subscribe request',
      parse: parseSubscribeRequest,
      handle: async (request) =>
        ('kind' in request
          ? await handleWelcomeRequest(deps, request)
          : await handleSubscribeRequest(deps, request)) === 'retry-later',
      outOfTime: () =>
        (context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) < CONFIRMATION_TIME_RESERVE_MS,
    });
