import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SubscribeRequest, WelcomeRequest } from '../app/ports.ts';
import { handleSubscribeRequest, handleWelcomeRequest, type SubscriptionDeps } from '../app/subscriptions.ts';
import { FeedmailError } from '../core/errors.ts';
import { normalizeAddress } from '../core/subscribers/email-address.ts';
import { normalizeName } from '../core/subscribers/subscriber-name.ts';
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

const VIAS = new Set(['form', 'api']);

/**
 * Reads one queued request. Only the API can put messages on the queue, but the address and name are checked
 * again all the same: a message is data, and a bad one must not reach a mail header.
 */
export const parseSubscribeRequest = (body: string): SubscribeRequest | WelcomeRequest => {
  const message = JSON.parse(body) as Record<string, unknown>;
  if (message.kind === 'welcome') {
    const { key, confirmedAt } = message;
    if (typeof key !== 'string' || typeof confirmedAt !== 'string' || Number.isNaN(Date.parse(confirmedAt))) {
      throw new FeedmailError('a welcome request needs key and confirmedAt (a date)');
    }
    const normalized = normalizeAddress(key);
    if (!normalized.ok) throw new FeedmailError(`the key cannot be used: ${normalized.reason}`);
    return { kind: 'welcome', key: normalized.value.key, confirmedAt };
  }
  const { address, name, via, requestedAt } = message;
  if (typeof address !== 'string' || typeof via !== 'string' || !VIAS.has(via) || typeof requestedAt !== 'string') {
    throw new FeedmailError('a subscribe request needs address, via ("form" or "api") and requestedAt');
  }
  if (Number.isNaN(Date.parse(requestedAt))) throw new FeedmailError(`requestedAt "${requestedAt}" is not a date`);
  const normalized = normalizeAddress(address);
  if (!normalized.ok) throw new FeedmailError(`the address cannot be used: ${normalized.reason}`);
  const checkedName = typeof name === 'string' ? normalizeName(name) : undefined;
  if (checkedName && !checkedName.ok) throw new FeedmailError(`the name cannot be used: ${checkedName.reason}`);
  return {
    address: normalized.value.address,
    key: normalized.value.key,
    ...(checkedName?.ok && checkedName.value ? { name: checkedName.value } : {}),
    via: via as SubscribeRequest['via'],
    requestedAt,
  };
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
