import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { Logger } from '../app/logger.ts';
import type { SendingPause } from '../app/ports.ts';
import { describeError } from '../core/errors.ts';
import { MessageError, parseMessage } from './parse-message.ts';

export type PauseHandler = (event: SNSEvent) => Promise<{ paused: boolean }>;

export interface PauseDeps {
  pause: SendingPause;
  log: Logger;
  now: () => Date;
}

/** The SES metrics whose alarms pause digests: SES puts an account under review at 5% bounces or 0.1% complaints. */
export const REPUTATION_METRICS: readonly string[] = ['Reputation.BounceRate', 'Reputation.ComplaintRate'];

/** The SNS topic the reputation alarms notify, for the error of a message that cannot be read. */
export const ALARM_TOPIC = 'reputation alarm topic';

/** A field every alarm notification has. Its problem names it: the drop log carries the problems alone. */
const required = (name: string) => z.string({ error: `no ${name}` }).min(1, `no ${name}`);
/** A field the pause can do without: anything but a string reads as absent. */
const optional = z.string().optional().catch(undefined);

/** The fields used from a CloudWatch alarm notification (the JSON text of the SNS message). */
const alarmNotification = z.object({
  AlarmName: required('AlarmName'),
  NewStateValue: required('NewStateValue'),
  NewStateReason: optional,
  StateChangeTime: optional,
  Trigger: z.object({ Namespace: optional, MetricName: optional }).catch({}),
});

type AlarmNotification = z.output<typeof alarmNotification>;

/**
 * Reads one notification, throwing a MessageError that names every missing field.
 * @example parseAlarmNotification('{"NewStateValue":"ALARM"}') // throws: reputation alarm topic message: field "AlarmName": no AlarmName
 */
export const parseAlarmNotification = (message: string): AlarmNotification =>
  parseMessage(ALARM_TOPIC, alarmNotification, message);

/** CloudWatch writes `2026-11-23T08:15:42.123+0000`; the flag keeps ISO 8601 in UTC. */
const toIsoTime = (stateChangeTime: string, now: () => Date): string => {
  const parsed = new Date(stateChangeTime.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(parsed.getTime()) ? now().toISOString() : parsed.toISOString();
};

const isReputationAlarm = ({ Trigger: { Namespace, MetricName } }: AlarmNotification): boolean =>
  Namespace === 'AWS/SES' && MetricName !== undefined && REPUTATION_METRICS.includes(MetricName);

/**
 * CloudWatch alarm notifications (alarm -> SNS -> here) -> pause digest sending. Only an SES reputation alarm
 * entering ALARM pauses; its return to OK does not resume, because the rate SES looks at falls only as more mail goes
 * out, and sending more digests to the same list is what raised it: a person reads the reason, cleans the list and
 * resumes (`npm run cli -- digest resume`). Other alarms and other states are logged and ignored; a message that is
 * not an alarm notification is logged and dropped (retrying cannot fix it). A failed write fails the invocation, so
 * Lambda retries it; pausing twice is harmless.
 */
export const createPauseHandler =
  (deps: PauseDeps): PauseHandler =>
  async (event) => {
    let paused = false;
    for (const record of event.Records) {
      const messageId = record.Sns.MessageId;
      let alarm: AlarmNotification;
      try {
        alarm = parseAlarmNotification(record.Sns.Message);
      } catch (error) {
        deps.log.error('unreadable alarm notification dropped', {
          messageId,
          // The problems alone (`no AlarmName`), as this line has always carried them; its message names the topic.
          error:
            error instanceof MessageError
              ? error.issues.map(({ problem }) => problem).join('; ')
              : describeError(error),
        });
        continue;
      }
      const context = {
        messageId,
        alarmName: alarm.AlarmName,
        state: alarm.NewStateValue,
        metric: alarm.Trigger.MetricName,
      };
      if (!isReputationAlarm(alarm)) {
        deps.log.warn('alarm is not an SES reputation alarm: ignored', context);
        continue;
      }
      if (alarm.NewStateValue !== 'ALARM') {
        deps.log.info('reputation alarm left ALARM: digests stay as they are until resumed by hand', context);
        continue;
      }
      const current = await deps.pause.get();
      if (current.paused) {
        deps.log.info('digest sending already paused', { ...context, since: current.since, reason: current.reason });
        paused = true;
        continue;
      }
      const since = toIsoTime(alarm.StateChangeTime ?? '', deps.now);
      const reason = `${alarm.AlarmName}: ${alarm.NewStateReason ?? ''}`;
      await deps.pause.pause(reason, since);
      deps.log.warn('digest sending paused', { ...context, since, reason });
      paused = true;
    }
    return { paused };
  };
