import { createDynamoSubscriberStore } from '../../functions/adapters/dynamo-subscriber-store.ts';
import type { Mailer, OutgoingMessage, SubscriberStore } from '../../functions/app/ports.ts';
import type { SubscriptionDeps } from '../../functions/app/subscriptions.ts';
import { DEFAULT_POLICY } from '../../functions/core/subscribers/subscriber.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';
import { type LogLine, testSite } from './publisher-harness.ts';

export const TEST_TOKEN_KEY = new TextEncoder().encode('test-token-key-'.repeat(4));

/** Keeps every message handed to it, like the local outbox, and can be told to fail (SES refusing or throttling). */
export interface RecordingMailer extends Mailer {
  sent: OutgoingMessage[];
  failNext(error: Error): void;
}

export const createRecordingMailer = (): RecordingMailer => {
  const sent: OutgoingMessage[] = [];
  let failure: Error | undefined;
  return {
    sent,
    failNext: (error) => {
      failure = error;
    },
    send: async (message) => {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      sent.push(message);
      return { messageId: `m-${sent.length}` };
    },
  };
};

/** The text of a recorded message (our test composer writes the confirmation URL on a line of its own). */
export const confirmUrlIn = (message: OutgoingMessage): string => {
  const match = /^Confirm: (\S+)$/m.exec(new TextDecoder().decode(message.raw));
  if (!match?.[1]) throw new Error('no confirmation link in the message');
  return match[1];
};

export const tokenOf = (url: string): string => new URL(url).searchParams.get('token') ?? '';

export interface SubscriptionHarness {
  standIns: StandIns;
  store: SubscriberStore;
  mailer: RecordingMailer;
  logs: LogLine[];
  clock: { now: Date };
  deps: SubscriptionDeps;
  close(): Promise<void>;
}

/**
 * The subscription use cases over the DynamoDB stand-in (real HTTP, real conditional writes), with a clock the test
 * moves and a mailer that records. The mail's own format is tested with the real composer in tests/core/mail.
 */
export const startSubscriptionHarness = async (): Promise<SubscriptionHarness> => {
  const standIns = await startStandIns();
  const store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo });
  const mailer = createRecordingMailer();
  const logs: LogLine[] = [];
  const clock = { now: new Date('2026-11-21T10:00:00Z') };
  const log =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logs.push({ level, message, fields });
  const deps: SubscriptionDeps = {
    store,
    mailer,
    site: testSite({
      mail: { from: 'news@notes.example', postalAddress: '1 Test Street, Testville' },
    }),
    tokenKey: TEST_TOKEN_KEY,
    policy: DEFAULT_POLICY,
    now: () => clock.now,
    nonce: () => crypto.randomUUID(),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    composeConfirmation: async (to, confirmUrl) => ({
      from: 'news@notes.example',
      to: to.address,
      raw: new TextEncoder().encode(`To: ${to.address}\r\n\r\nConfirm: ${confirmUrl}\r\n`),
    }),
  };
  return { standIns, store, mailer, logs, clock, deps, close: () => standIns.close() };
};
