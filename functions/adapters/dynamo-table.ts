import { gunzipSync } from 'node:zlib';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { StoredRecordError } from '../core/errors.ts';

/**
 * The state table: one DynamoDB table (pk/sk strings, plus the local secondary index `byDate`) that holds the
 * publisher's post index, the digests and the subscriber list. Each adapter owns some rows and documents them:
 *
 * | pk                            | rows                                              | adapter                       |
 * |-------------------------------|---------------------------------------------------|-------------------------------|
 * | `SRC`                         | one record per source file                        | dynamo-source-index.ts        |
 * | `CLAIM`                       | unique names                                      | dynamo-name-claims.ts         |
 * | `DIRTY`                       | outputs to re-render                              | dynamo-dirty-marks.ts         |
 * | `SITE`                        | revision counters and the render lease            | dynamo-render-lock.ts         |
 * | `MONTH`                       | archive months (and `byDate` over `SRC`)          | dynamo-post-archive.ts        |
 * | `DUE`                         | scheduled posts and expiries                      | dynamo-due-entries.ts         |
 * | `MAILQ`                       | posts waiting for (or assigned to) a digest       | dynamo-mail-queue.ts          |
 * | `DIGEST`, `BATCH#<digest>`    | digest records and their batch tallies            | dynamo-digest-ledger.ts       |
 * | `DELIV#<digest>#<shard>`      | delivery claims                                   | dynamo-deliveries.ts          |
 * | `SUB#<shard>`                 | subscribers                                       | dynamo-subscriber-store.ts    |
 * | `SENDING`                     | the digest sending pause                          | dynamo-sending-pause.ts       |
 *
 * `StateTable` is how every adapter reaches it: one document client, and the few ways of calling it they all share
 * (conditional writes, strongly consistent queries a page at a time).
 */
export interface StateTable {
  /** The table's name, as the stack (or the stand-in) created it. */
  readonly name: string;
  readonly doc: DynamoDBDocumentClient;
  /** Runs a conditional write: true when it applied, false when its condition did not hold. */
  applied(write: () => Promise<unknown>): Promise<boolean>;
  /** An UpdateItem applied only if its condition holds: the attributes it returned, or undefined when it did not. */
  updateIf(
    Key: Record<string, unknown>,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<Record<string, unknown> | undefined>;
  /** A strongly consistent query, a non-empty page at a time. */
  queryPages(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Record<string, unknown>[]>;
  /** Every item of a strongly consistent query (at most `Limit`, when given: reading stops once it has them). */
  queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]>;
  /**
   * An item read back, as `schema` says it must be; StoredRecordError naming the table, the record (`key`, by
   * default the item's own pk and sk) and every field that does not match.
   */
  parse<S extends z.ZodType>(schema: S, item: Record<string, unknown>, key?: { pk: unknown; sk: unknown }): z.output<S>;
}

export interface StateTableOptions {
  tableName: string;
  client?: DynamoDBClient;
}

/** The local secondary index over `SRC` rows that lists published posts by date (see dynamo-post-archive.ts). */
export const BY_DATE_INDEX = 'byDate';

/** The table layout the stack and the local stand-in both create. */
export const STATE_TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byDateIndex: BY_DATE_INDEX,
  byDateKey: 'byDate',
} as const;

export const openStateTable = (options: StateTableOptions): StateTable => {
  const doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const TableName = options.tableName;

  const applied = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  async function* queryPages(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Record<string, unknown>[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ TableName, ConsistentRead: true, ...input, ExclusiveStartKey }));
      if (page.Items?.length) yield page.Items;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  return {
    name: TableName,
    doc,
    applied,
    updateIf: async (Key, input) => {
      let attributes: Record<string, unknown> = {};
      const done = await applied(async () => {
        attributes = (await doc.send(new UpdateCommand({ TableName, Key, ...input }))).Attributes ?? {};
      });
      return done ? attributes : undefined;
    },
    queryPages,
    parse: (schema, item, key = { pk: item.pk, sk: item.sk }) => {
      const result = schema.safeParse(item);
      if (result.success) return result.data;
      const record = `(${String(key.pk)}, ${String(key.sk)})`;
      const fields = result.error.issues.map((issue) => issue.path.join('.'));
      const problems = result.error.issues.map(
        (issue) => `field "${issue.path.join('.')}": ${issue.message.replace(/^Invalid (input|option): /, '')}`,
      );
      throw new StoredRecordError(
        { table: TableName, record, fields },
        `state table ${TableName}, record ${record}: ${problems.join('; ')}`,
        { cause: result.error },
      );
    },
    queryAll: async (input) => {
      const items: Record<string, unknown>[] = [];
      for await (const page of queryPages(input)) {
        items.push(...page);
        if (input.Limit !== undefined && items.length >= input.Limit) break;
      }
      return input.Limit === undefined ? items : items.slice(0, input.Limit);
    },
  };
};

/*
 * How the adapters store what does not fit an attribute of its own: JSON text, and gzipped JSON in a binary
 * attribute (for what could approach DynamoDB's 400 KB item limit). Read back through a schema, so a field inside
 * is named in the error as `attribute.field`.
 */

/** A string attribute holding JSON, read as `schema` says. */
export const jsonText = <S extends z.ZodType>(schema: S) =>
  z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text);
      } catch {
        context.issues.push({ code: 'custom', message: 'expected JSON text', input: text });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** A binary attribute holding gzipped JSON, read as `schema` says. */
export const gzippedJson = <S extends z.ZodType>(schema: S) =>
  z
    .instanceof(Uint8Array)
    .transform((bytes, context) => {
      try {
        return JSON.parse(gunzipSync(bytes).toString('utf8'));
      } catch {
        context.issues.push({ code: 'custom', message: 'expected gzipped JSON', input: bytes });
        return z.NEVER;
      }
    })
    .pipe(schema);
