import { GetSendQuotaCommand, SESClient } from '@aws-sdk/client-ses';
import type { SendQuota } from '../core/digest/pacing.ts';

/** The account's sending limits as SES reports them now (GetSendQuota). */
export const createSesSendQuota =
  (client = new SESClient({})) =>
  async (): Promise<SendQuota> => {
    const answer = await client.send(new GetSendQuotaCommand({}));
    return {
      maxSendRate: answer.MaxSendRate ?? 1,
      max24HourSend: answer.Max24HourSend ?? 200,
      sentLast24Hours: answer.SentLast24Hours ?? 0,
    };
  };
