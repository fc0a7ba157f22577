import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../app/logger.ts';
import { describeError } from '../core/errors.ts';

/**
 * The partial-batch contract every queue consumer of ours keeps (ReportBatchItemFailures): each record is read and
 * handled on its own; a record that cannot be read is logged and dropped (a retry cannot fix it); a record whose
 * handling throws, or asks for it, is reported as failed, so SQS delivers it again after its visibility timeout and
 * in the end moves it to the dead-letter queue. Once `outOfTime` says so, the remaining records are handed back
 * unstarted.
 */
export const processSqsBatch = async <Item>(
  event: SQSEvent,
  options: {
    log: Logger;
    /** What a message is, for the log lines: `digest batch`, `subscribe request`. */
    kind: string;
    parse: (body: string) => Item;
    /** Handles one item; true when the record should come back later. */
    handle: (item: Item, record: SQSRecord) => Promise<boolean>;
    /** Log fields naming a failed item (default: the message id). */
    describeItem?: (item: Item, record: SQSRecord) => Record<string, unknown>;
    outOfTime?: () => boolean;
  },
): Promise<SQSBatchResponse> => {
  const { log, kind } = options;
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    if (options.outOfTime?.()) {
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    let item: Item;
    try {
      item = options.parse(record.body);
    } catch (error) {
      log.error(`unreadable ${kind} dropped`, {
        messageId: record.messageId,
        error: describeError(error),
      });
      continue;
    }
    try {
      if (await options.handle(item, record)) failures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      log.error(`${kind} failed; SQS will deliver it again`, {
        ...(options.describeItem?.(item, record) ?? { messageId: record.messageId }),
        error: describeError(error, { named: true }),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
