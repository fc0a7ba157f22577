import { createDynamoSubscriberStore } from '../functions/adapters/dynamo-subscriber-store.ts';
import { importSubscribers } from '../functions/app/subscriptions.ts';
import { parseSubscriberCsv } from '../functions/core/subscribers/subscriber-csv.ts';
import { startStandInProcess } from './stand-in-client.ts';

export interface SubscriberMeasurement {
  /** Rows per second for the whole import: CSV parsing, validation and one conditional write per row. */
  importRowsPerSecond: number;
  /** Wall time to read every confirmed subscriber (all shards, strongly consistent), in ms. */
  listConfirmedMs: number;
  confirmed: number;
}

/**
 * Mailchimp-style audience exports (Mailchimp writes one file per status): `count` rows in all, 90% in the
 * subscribed file and 10% in the unsubscribed one.
 */
const syntheticExports = (count: number): { subscribed: string; unsubscribed: string } => {
  const subscribed = ['Email Address,First Name,Last Name,OPTIN_TIME,CONFIRM_TIME'];
  const unsubscribed = ['Email Address,First Name,Last Name,OPTIN_TIME,CONFIRM_TIME,UNSUB_TIME'];
  for (let i = 0; i < count; i++) {
    const row = `reader${i}@example${i % 97}.org,Reader,Number ${i},2024-01-01 10:00:00,2024-01-01 10:05:00`;
    if (i % 10 === 9) unsubscribed.push(`${row},2025-02-01 09:00:00`);
    else subscribed.push(row);
  }
  return { subscribed: `${subscribed.join('\r\n')}\r\n`, unsubscribed: `${unsubscribed.join('\r\n')}\r\n` };
};

/**
 * Imports a `count`-row export into the DynamoDB stand-in through the same use case as the CLI, then lists every
 * confirmed subscriber. dynalite (one process, in memory) is the bottleneck here; DynamoDB itself scales out.
 */
export const measureSubscribers = async (count: number): Promise<SubscriberMeasurement> => {
  const standIns = await startStandInProcess();
  try {
    const store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.client });
    const files = syntheticExports(count);
    const started = performance.now();
    for (const [file, csv] of Object.entries(files)) {
      const { rows, problems } = parseSubscriberCsv(csv, file);
      if (problems.length > 0) throw new Error(`bench export rejected: ${problems[0]?.message}`);
      await importSubscribers(store, rows, { now: new Date(), file, attested: true });
    }
    const importMs = performance.now() - started;

    const listStarted = performance.now();
    let confirmed = 0;
    for await (const page of store.list({ status: 'confirmed' })) confirmed += page.length;
    const listConfirmedMs = performance.now() - listStarted;
    if (confirmed !== count - Math.floor(count / 10)) throw new Error(`listed ${confirmed} confirmed subscribers`);
    return { importRowsPerSecond: count / (importMs / 1000), listConfirmedMs, confirmed };
  } finally {
    await standIns.close();
  }
};
