import { gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { BatchTally, CompiledForSending, DigestLedger, DigestRecord, DigestStatus } from '../app/ports.ts';
import { gzippedJson, type StateTable } from './dynamo-table.ts';

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

const compiledSchema = z.looseObject({
  entry: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  placeholders: z.array(z.string()),
} satisfies Record<keyof CompiledForSending, z.ZodType>) satisfies z.ZodType<CompiledForSending>;

/**
 * A digest item: the record's fields, with the compiled mail gzipped in `compiledGz`. Attributes besides (such as
 * `batchRuns`) come along as they always have.
 */
const digestItemSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['planning', 'queueing', 'sending', 'sent', 'empty', 'waiting']),
  createdAt: z.string(),
  feedIds: z.array(z.string()),
  subject: z.string().exactOptional(),
  compiledGz: gzippedJson(compiledSchema).exactOptional(),
  shardsQueued: z.array(z.string()),
  recipients: z.number(),
  batches: z.number(),
  sent: z.number(),
  failed: z.number(),
  skipped: z.number(),
  uncertain: z.number(),
  startedAt: z.string().exactOptional(),
  finishedAt: z.string().exactOptional(),
} satisfies Record<Exclude<keyof DigestRecord, 'compiled'> | 'compiledGz', z.ZodType>);

/** A batch's tally: each count as stored, 0 when absent. */
const tallySchema = z.object({
  sent: z.number().default(0),
  failed: z.number().default(0),
  skipped: z.number().default(0),
  uncertain: z.number().default(0),
} satisfies Record<keyof BatchTally, z.ZodType>);

/** Splits `compiled` out into a gzipped binary attribute: a digest's HTML stays far below the 400 KB item limit. */
const storable = (fields: Partial<DigestRecord>): Item => {
  const { compiled, ...rest } = fields;
  return compiled ? { ...rest, compiledGz: gzipSync(JSON.stringify(compiled)) } : rest;
};

export const createDynamoDigestLedger = (table: StateTable): DigestLedger => {
  const TableName = table.name;
  /** The record of a digest item; `key` names it when the item was read without its pk and sk (a projection). */
  const toRecord = (item: Item, key?: { pk: unknown; sk: unknown }): DigestRecord => {
    const { pk: _pk, sk: _sk, compiledGz, ...record } = table.parse(digestItemSchema, item, key);
    return compiledGz !== undefined ? { ...record, compiled: compiledGz } : record;
  };
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
      records.push(...page.map((item) => toRecord(item, { pk: DIGESTS, sk: item.id })));
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
          const tally = table.parse(tallySchema, item);
          for (const name of Object.keys(totals) as (keyof BatchTally)[]) totals[name] += tally[name];
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
