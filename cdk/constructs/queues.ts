import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A queue that keeps what failed for good (a queue's DLQ, a function's or a schedule's on-failure destination):
 * encrypted, TLS only, for 14 days (SQS's longest) so a person can look and redrive. It has no DLQ of its own, and
 * `whyNoDlq` tells cdk-nag (AwsSolutions-SQS3) why.
 */
export const deadLetterStore = (scope: Construct, id: string, whyNoDlq: string): Queue => {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: whyNoDlq });
  return queue;
};

/** A queue of work for a function, moving a message to `deadLetters` after `maxReceiveCount` receives. */
export const workQueue = (
  scope: Construct,
  id: string,
  options: { visibilityTimeout: Duration; deadLetters: Queue; maxReceiveCount: number },
): Queue =>
  new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: options.visibilityTimeout,
    // Shorter than the dead-letter queue's 14 days: a message keeps its first enqueue time when it moves there.
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: options.deadLetters, maxReceiveCount: options.maxReceiveCount },
  });
