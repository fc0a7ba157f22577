import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoSendingPause, SENDING_PAUSE_KEY } from '../../functions/adapters/dynamo-sending-pause.ts';
import { createJsonLogger } from '../../functions/app/logger.ts';
import type { SendingPause } from '../../functions/app/ports.ts';
import { createPauseHandler, type PauseHandler } from '../../functions/handlers/create-pause-handler.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';
import { snsEvent } from '../support/events.ts';

/*
 * The pause function with CloudWatch alarm notifications as SNS delivers them (the fixture), writing the pause flag
 * to the DynamoDB stand-in.
 */
const fixture = (): SNSEvent =>
  JSON.parse(readFileSync(new URL('../fixtures/events/sns-alarm.json', import.meta.url), 'utf8')) as SNSEvent;

/** The fixture's alarm JSON, changed by `change`, as the message of a fresh copy of the fixture's SNS event. */
const alarmEvent = (change: (alarm: Record<string, unknown>) => void): SNSEvent => {
  const event = fixture();
  const record = event.Records[0];
  if (!record) throw new Error('fixture has no record');
  const alarm = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  change(alarm);
  record.Sns.Message = JSON.stringify(alarm);
  return event;
};

const withMessages = (...messages: string[]): SNSEvent => snsEvent('events/sns-alarm.json', ...messages);

describe('pause function', () => {
  let standIns: StandIns;
  let pause: SendingPause;
  let handler: PauseHandler;
  let logs: { level: string; message: string; [field: string]: unknown }[];
  const now = new Date('2026-11-23T09:00:00.000Z');

  beforeEach(async () => {
    standIns = await startStandIns();
    pause = createDynamoSendingPause({ tableName: standIns.tableName, client: standIns.dynamo });
    logs = [];
    const log = createJsonLogger((line) => logs.push(JSON.parse(line)));
    handler = createPauseHandler({ pause, log, now: () => now });
  });
  afterEach(async () => {
    await standIns.close();
  });

  it('pauses digests when the bounce rate alarm enters ALARM, with the alarm as reason and its time', async () => {
    const result = await handler(fixture());

    expect(result).toEqual({ paused: true });
    const state = await pause.get();
    expect(state).toMatchObject({ paused: true, since: '2026-11-23T08:15:42.123Z' });
    expect(state.reason).toMatch(/^Feedmail-AlarmsBounceRate.*: Threshold Crossed/);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'digest sending paused' }));
  });

  it('writes the flag as the item pk SENDING, sk PAUSE', async () => {
    await handler(fixture());

    const { Item } = await standIns.dynamo.send(
      new GetCommand({ TableName: standIns.tableName, Key: SENDING_PAUSE_KEY }),
    );
    expect(Item).toMatchObject({ pk: 'SENDING', sk: 'PAUSE', paused: true, since: '2026-11-23T08:15:42.123Z' });
  });

  it('pauses on the complaint rate alarm too', async () => {
    const event = alarmEvent((alarm) => {
      (alarm.Trigger as Record<string, unknown>).MetricName = 'Reputation.ComplaintRate';
    });

    await handler(event);

    expect((await pause.get()).paused).toBe(true);
  });

  it('leaves the flag alone when the alarm returns to OK', async () => {
    const ok = alarmEvent((alarm) => {
      alarm.NewStateValue = 'OK';
      alarm.OldStateValue = 'ALARM';
    });

    const first = await handler(ok);
    await handler(fixture());
    await handler(ok);

    expect(first).toEqual({ paused: false });
    expect(await pause.get()).toMatchObject({ paused: true, since: '2026-11-23T08:15:42.123Z' });
  });

  it('keeps the first pause time when a second alarm fires while paused', async () => {
    await handler(fixture());
    const later = alarmEvent((alarm) => {
      alarm.StateChangeTime = '2026-11-24T10:00:00.000+0000';
      (alarm.Trigger as Record<string, unknown>).MetricName = 'Reputation.ComplaintRate';
    });

    await handler(later);

    expect((await pause.get()).since).toBe('2026-11-23T08:15:42.123Z');
  });

  it('ignores alarms on other metrics, such as a function error alarm', async () => {
    const errors = alarmEvent((alarm) => {
      alarm.AlarmName = 'Feedmail-AlarmsSenderErrors';
      alarm.Trigger = { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1 };
    });

    const result = await handler(errors);

    expect(result).toEqual({ paused: false });
    expect(await pause.get()).toEqual({ paused: false });
    expect(logs).toContainEqual(expect.objectContaining({ alarmName: 'Feedmail-AlarmsSenderErrors', level: 'warn' }));
  });

  it('drops an unreadable message with a log line and still handles the rest of the event', async () => {
    const valid = fixture().Records[0]?.Sns.Message ?? '';

    const result = await handler(withMessages('not json', '{"NewStateValue":"ALARM"}', valid));

    expect(result).toEqual({ paused: true });
    const dropped = logs.filter((line) => line.message === 'unreadable alarm notification dropped');
    expect(dropped).toEqual([
      expect.objectContaining({ level: 'error', messageId: 'm0' }),
      expect.objectContaining({ level: 'error', messageId: 'm1', error: 'no AlarmName' }),
    ]);
    expect((await pause.get()).paused).toBe(true);
  });

  it('resumes through the adapter, which the CLI uses', async () => {
    await handler(fixture());

    await pause.resume();

    expect(await pause.get()).toEqual({ paused: false });
  });
});
