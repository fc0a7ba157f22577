import type { SNSEvent } from 'aws-lambda';
import type { Logger } from '../app/logger.ts';
import type { SendingPause } from '../app/ports.ts';

export type PauseHandler = (event: SNSEvent) => Promise<{ paused: boolean }>;

/** The SES metrics whose alarms pause digests: SES puts an account under review at 5% bounces or 0.1% complaints. */
export const REPUTATION_METRICS: readonly string[] = ['Reputation.BounceRate', 'Reputation.ComplaintRate'];

/** The fields used from a CloudWatch alarm notification (the JSON text of the SNS message). */
interface AlarmNotification {
  alarmName: string;
  newState: string;
  reason: string;
  stateChangeTime: string;
  namespace: string | undefined;
  metricName: string | undefined;
}

const stringField = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw new TypeError(`no ${name}`);
  return value;
};

/** Throws a TypeError naming the first missing field; the caller logs it. */
const parseAlarmNotification = (message: string): AlarmNotification => {
  const json: unknown = JSON.parse(message);
  if (typeof json !== 'object' || json === null) throw new TypeError('not a JSON object');
  const fields = json as Record<string, unknown>;
  const trigger = (typeof fields.Trigger === 'object' && fields.Trigger !== null ? fields.Trigger : {}) as Record<
    string,
    unknown
  >;
  return {
    alarmName: stringField(fields.AlarmName, 'AlarmName'),
    newState: stringField(fields.NewStateValue, 'NewStateValue'),
    reason: typeof fields.NewStateReason === 'string' ? fields.NewStateReason : '',
    stateChangeTime: typeof fields.StateChangeTime === 'string' ? fields.StateChangeTime : '',
    namespace: typeof trigger.Namespace === 'string' ? trigger.Namespace : undefined,
    metricName: typeof trigger.MetricName === 'string' ? trigger.MetricName : undefined,
  };
};

/** CloudWatch writes `2026-11-23T08:15:42.123+0000`; the flag keeps ISO 8601 in UTC. */
const toIsoTime = (stateChangeTime: string, now: () => Date): string => {
  const parsed = new Date(stateChangeTime.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(parsed.getTime()) ? now().toISOString() : parsed.toISOString();
};

const isReputationAlarm = (alarm: AlarmNotification): boolean =>
  alarm.namespace === 'AWS/SES' && alarm.metricName !== undefined && REPUTATION_METRICS.includes(alarm.metricName);

/**
 * CloudWatch alarm notifications (alarm -> SNS -> here) -> pause digest sending. Only an SES reputation alarm
 * entering ALARM pauses; its return to OK does not resume, because the rate SES looks at falls only as more mail goes
 * out, and sending more digests to the same list is what raised it: a person reads the reason, cleans the list and
 * resumes (`npm run cli -- digest resume`). Other alarms and other states are logged and ignored; a message that is
 * not an alarm notification is logged and dropped (retrying cannot fix it). A failed write fails the invocation, so
 * Lambda retries it; pausing twice is harmless.
 */
export const createPauseHandler =
  (deps: { pause: SendingPause; log: Logger; now: () => Date }): PauseHandler =>
  async (event) => {
    let paused = false;
    for (const record of event.Records) {
      const messageId = record.Sns.MessageId;
      let alarm: AlarmNotification;
      try {
        alarm = parseAlarmNotification(record.Sns.Message);
      } catch (error) {
        deps.log.error('unreadable alarm notification dropped', { messageId, error: (error as Error).message });
        continue;
      }
      const context = { messageId, alarmName: alarm.alarmName, state: alarm.newState, metric: alarm.metricName };
      if (!isReputationAlarm(alarm)) {
        deps.log.warn('alarm is not an SES reputation alarm: ignored', context);
        continue;
      }
      if (alarm.newState !== 'ALARM') {
        deps.log.info('reputation alarm left ALARM: digests stay as they are until resumed by hand', context);
        continue;
      }
      const current = await deps.pause.get();
      if (current.paused) {
        deps.log.info('digest sending already paused', { ...context, since: current.since, reason: current.reason });
        paused = true;
        continue;
      }
      const since = toIsoTime(alarm.stateChangeTime, deps.now);
      const reason = `${alarm.alarmName}: ${alarm.reason}`;
      await deps.pause.pause(reason, since);
      deps.log.warn('digest sending paused', { ...context, since, reason });
      paused = true;
    }
    return { paused };
  };
