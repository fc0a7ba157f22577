import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchTally, CompiledForSending, DigestLedger, DigestRecord, DigestStatus } from '../app/ports.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * The digests in the state table:
 *
 * | pk               | sk         | what                                                            |
 * |------------------|------------|-----------------------------------------------------------------|
 * | `DIGEST`         | digest id  | the digest record: posts, compiled mail (gzipped), fan-out, counters |
 * | `BATCH#<digest>` | batch id   | the tally of a batch whose recipients are all settled            |
 */
const DIGESTS = 'DIGEST';

type Item = Record<string, unknown>;

/** The record's fields apart from the compiled mail, for listings. */
const RECORD_FIELDS = [
  'id',
  'status',
  'createdAt',
  'feedIds',
  'subject',
  'shardsQueued',
  'recipients',
  'batches',
  'sent',
  'failed',
  'skipped',
  'uncertain',
  'startedAt',
  'finishedAt',
] as const satisfies readonly (keyof DigestRecord)[];

const toRecord = (item: Item): DigestRecord => {
  const { pk: _pk, sk: _sk, compiledGz, ...rest } = item;
  const record = rest as unknown as DigestRecord;
  return compiledGz instanceof Uint8Array
    ? { ...record, compiled: JSON.parse(gunzipSync(compiledGz).toString('utf8')) as CompiledForSending }
    : record;
};

/** Splits `compiled` out into a gzipped binary attribute: a digest's HTML stays far below the 400 KB item limit. */
const storable = (fields: Partial<DigestRecord>): Item => {
  const { compiled, ...rest } = fields;
  return compiled ? { ...rest, compiledGz: gzipSync(JSON.stringify(compiled)) } : rest;
};

export const createDynamoDigestLedger = (table: StateTable): DigestLedger => {
  const TableName = table.name;
  const update = async (Key: Item, input: Parameters<StateTable['updateIf']>[1]): Promise<boolean> =>
    (await table.updateIf(Key, input)) !== undefined;

  const getDigest = async (id: string): Promise<DigestRecord | undefined> => {
    const { Item } = await table.doc.send(
      new GetCommand({ TableName, Key: { pk: DIGESTS, sk: id }, ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  };

  /** Every digest record without its compiled mail (a few hundred bytes each; one per week or per post). */
  const listRecords = async (): Promise<DigestRecord[]> => {
    const records: DigestRecord[] = [];
    for await (const page of table.queryPages({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': DIGESTS },
      ProjectionExpression: RECORD_FIELDS.map((_, i) => `#r${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(RECORD_FIELDS.map((name, i) => [`#r${i}`, name])),
    })) {
      records.push(...page.map(toRecord));
    }
    return records;
  };

  return {
    openDigest: async (record) => {
      await table.applied(() =>
        table.doc.send(
          new PutCommand({
            TableName,
            Item: { pk: DIGESTS, sk: record.id, ...storable(record) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return (await getDigest(record.id)) as DigestRecord;
    },
    getDigest,
    updateDigest: (id, expected, fields) => {
      const item = storable(fields);
      const names = Object.keys(item);
      if (names.length === 0) return Promise.resolve(true);
      return update(
        { pk: DIGESTS, sk: id },
        {
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: '#status = :expected',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':expected': expected,
            ...Object.fromEntries(names.map((name, i) => [`:v${i}`, item[name]])),
          },
        },
      );
    },
    recordShardQueued: async (id, shard, recipients, batches) => {
      await update(
        { pk: DIGESTS, sk: id },
        {
          UpdateExpression: 'SET shardsQueued = list_append(shardsQueued, :shard) ADD recipients :n, batches :b',
          ConditionExpression: 'NOT contains(shardsQueued, :name)',
          ExpressionAttributeValues: { ':shard': [shard], ':name': shard, ':n': recipients, ':b': batches },
        },
      );
    },
    countBatchRun: async (id) => {
      const { Attributes } = await table.doc.send(
        new UpdateCommand({
          TableName,
          Key: { pk: DIGESTS, sk: id },
          UpdateExpression: 'ADD batchRuns :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.batchRuns ?? 0);
    },
    recordBatch: async (id, batchId, tally) => {
      await table.doc.send(new PutCommand({ TableName, Item: { pk: `BATCH#${id}`, sk: batchId, ...tally } }));
    },
    batchTallies: async (id) => {
      const totals: BatchTally = { sent: 0, failed: 0, skipped: 0, uncertain: 0 };
      let batches = 0;
      for await (const page of table.queryPages({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `BATCH#${id}` },
      })) {
        for (const item of page) {
          batches++;
          for (const name of Object.keys(totals) as (keyof BatchTally)[]) totals[name] += Number(item[name] ?? 0);
        }
      }
      return { batches, totals };
    },
    finishDigest: async (id, totals, at) => {
      await update(
        { pk: DIGESTS, sk: id },
        {
          UpdateExpression:
            'SET finishedAt = :at, #status = :sent, sent = :s, failed = :f, skipped = :k, uncertain = :u',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':at': at,
            ':sent': 'sent' satisfies DigestStatus,
            ':sending': 'sending' satisfies DigestStatus,
            ':s': totals.sent,
            ':f': totals.failed,
            ':k': totals.skipped,
            ':u': totals.uncertain,
          },
        },
      );
    },
    listDigests: async (limit) => {
      const records = await listRecords();
      return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
    },
    listUnfinished: async () =>
      (await listRecords()).filter((record) => record.status === 'planning' || record.status === 'queueing'),
  };
};
