import type { SNSEvent } from 'aws-lambda';
import type { Logger } from '../app/logger.ts';
import type { SubscriberStore } from '../app/ports.ts';
import { applyFeedback } from '../app/subscriptions.ts';
import { FeedmailError } from '../core/errors.ts';
import type { FeedbackEvent } from '../core/subscribers/ses-feedback.ts';
import type { SubscriptionPolicy } from '../core/subscribers/subscriber.ts';
import { parseSesFeedback } from './ses-notification.ts';

export type FeedbackHandler = (event: SNSEvent) => Promise<{ applied: number }>;

export interface FeedbackDeps {
  store: SubscriberStore;
  policy: SubscriptionPolicy;
  log: Logger;
  now: () => Date;
}

/**
 * SES bounce and complaint notifications (configuration set -> SNS -> here) -> suppress or count. A notification
 * that is not JSON is logged and dropped (retrying cannot fix it); a failure to write fails the invocation so SNS
 * retries it, which is harmless because applying the same feedback twice changes nothing the second time.
 */
export const createFeedbackHandler =
  (deps: FeedbackDeps): FeedbackHandler =>
  async (event) => {
    let applied = 0;
    for (const record of event.Records) {
      let events: FeedbackEvent[];
      try {
        events = parseSesFeedback(record.Sns.Message);
      } catch (error) {
        if (!(error instanceof FeedmailError)) throw error;
        deps.log.error('unreadable SES notification dropped', {
          messageId: record.Sns.MessageId,
          error: error.message,
        });
        continue;
      }
      applied += (await applyFeedback(deps, events)).length;
    }
    return { applied };
  };
