import { gzipSync } from 'node:zlib';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SourceIndex, SourceRecord } from '../app/ports.ts';
import { ConflictError } from '../core/errors.ts';
import type { Author, PostSummary, Problem, PublishedPost } from '../core/types.ts';
import { dueEntryItem } from './dynamo-due-entries.ts';
import { gzippedJson, jsonText, type StateTable } from './dynamo-table.ts';

/**
 * One record per source file in the state table:
 *
 * | pk    | sk           | what                                                                            |
 * |-------|--------------|---------------------------------------------------------------------------------|
 * | `SRC` | source path  | status, claims, problems (JSON); the post as `summary` (JSON) and `body` (gzip) |
 *
 * `byDate` (`<date>#<source path>`) is set only while the post is published.
 *
 * All published posts share one partition so that `byDate` (an LSI, the only index DynamoDB reads with strong
 * consistency) lists the newest posts in one query whatever the total (see dynamo-post-archive.ts). A blog's write
 * rate is far below a partition's limits.
 */
export const createDynamoSourceIndex = (table: StateTable): SourceIndex => {
  const TableName = table.name;
  return {
    async getSource(sourcePath) {
      const { Item } = await table.doc.send(
        new GetCommand({ TableName, Key: { pk: 'SRC', sk: sourcePath }, ConsistentRead: true }),
      );
      return Item ? toSourceRecord(table, Item) : undefined;
    },

    async getSources(sourcePaths) {
      const found = new Map<string, SourceRecord>();
      // BatchGetItem takes 100 keys at a time and may hand some back unprocessed (throttling): ask again for those.
      for (let i = 0; i < sourcePaths.length; i += 100) {
        let keys: Record<string, unknown>[] = [...new Set(sourcePaths.slice(i, i + 100))].map((sk) => ({
          pk: 'SRC',
          sk,
        }));
        for (let round = 0; keys.length > 0; round++) {
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
          const page = await table.doc.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of page.Responses?.[TableName] ?? []) {
            const record = toSourceRecord(table, item);
            found.set(record.sourcePath, record);
          }
          keys = page.UnprocessedKeys?.[TableName]?.Keys ?? [];
        }
      }
      return sourcePaths.flatMap((path) => found.get(path) ?? []);
    },

    async putSource(record) {
      if (record.dueAt) {
        // Written first: a stale DUE entry only causes a harmless extra reconcile, a missing one a post never published.
        await table.doc.send(new PutCommand({ TableName, Item: dueEntryItem(record.sourcePath, record.dueAt) }));
      }
      const item = fromSourceRecord(record);
      const written = await table.applied(() =>
        table.doc.send(
          new PutCommand({
            TableName,
            Item: item,
            ConditionExpression: record.version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
            ...(record.version === 1 ? {} : { ExpressionAttributeValues: { ':previous': record.version - 1 } }),
          }),
        ),
      );
      if (!written)
        throw new ConflictError(`${record.sourcePath} changed concurrently (expected version ${record.version - 1})`);
    },
  };
};

/** DynamoDB items hold at most 400 KB: bodies are stored gzipped, which keeps even the largest accepted post well under. */
const fromSourceRecord = (record: SourceRecord): Record<string, unknown> => {
  const { post, problems, ...rest } = record;
  const item: Record<string, unknown> = {
    pk: 'SRC',
    sk: record.sourcePath,
    ...rest,
    problems: JSON.stringify(capProblems(problems)),
  };
  if (post) {
    const { html, excerptHtml, ...summary } = post;
    item.summary = JSON.stringify(summary);
    item.body = gzipSync(JSON.stringify({ html, excerptHtml }));
    if (record.status === 'published') item.byDate = `${post.date}#${record.sourcePath}`;
  }
  return item;
};

/** Problems kept in the index; the rest are summed up in one line (a post can have thousands of warnings). */
const STORED_PROBLEMS = 50;

const capProblems = (problems: SourceRecord['problems']): SourceRecord['problems'] => {
  if (problems.length <= STORED_PROBLEMS) return problems;
  const rest = problems.slice(STORED_PROBLEMS);
  return [
    ...problems.slice(0, STORED_PROBLEMS),
    {
      file: problems[0]?.file ?? '',
      message: `…and ${rest.length} more problem(s), not stored.`,
      fix: 'Fix the ones listed and upload again to see the rest.',
      severity: rest.some((p) => p.severity === 'error') ? 'error' : 'warning',
    },
  ];
};

/*
 * Reading back. The JSON inside `summary`, `body` and `problems` keeps what it holds: the fields below are checked,
 * others pass through. zod returns the fields in the schema's order, so each schema lists them in the order the code
 * writes them: some of it is compared as text (the authors, when an upload is checked for reading the same).
 */

const authorSchema = z.looseObject({
  name: z.string(),
  email: z.string().exactOptional(),
  url: z.string().exactOptional(),
} satisfies Record<keyof Author, z.ZodType>) satisfies z.ZodType<Author>;

const postSummarySchema = z.looseObject({
  id: z.string(),
  sourcePath: z.string(),
  slug: z.string(),
  aliases: z.array(z.string()).exactOptional(),
  movedFrom: z.array(z.string()).exactOptional(),
  url: z.string(),
  title: z.string(),
  date: z.string(),
  updated: z.string().exactOptional(),
  summary: z.string(),
  tags: z.array(z.string()),
  categories: z.array(z.string()),
  authors: z.array(authorSchema),
  image: z.string().exactOptional(),
} satisfies Record<keyof PostSummary, z.ZodType>) satisfies z.ZodType<PostSummary>;

const bodySchema = z.looseObject({ html: z.string(), excerptHtml: z.string().exactOptional() });

const problemSchema = z.looseObject({
  file: z.string(),
  line: z.number().exactOptional(),
  field: z.string().exactOptional(),
  message: z.string(),
  fix: z.string(),
  severity: z.enum(['error', 'warning']),
} satisfies Record<keyof Problem, z.ZodType>) satisfies z.ZodType<Problem>;

/** A `SRC` item's post: a summary and, beside it, the gzipped bodies (one is never stored without the other). */
const postAttributes = {
  summary: jsonText(postSummarySchema),
  body: gzippedJson(bodySchema),
};

const sourceItemSchema = z
  .object({
    sk: z.string(),
    version: z.number(),
    status: z.enum(['published', 'scheduled', 'draft', 'expired', 'rejected', 'deleted']),
    etag: z.string().exactOptional(),
    month: z.string().exactOptional(),
    dueAt: z.string().exactOptional(),
    claims: z.array(z.string()).default([]),
    formerClaims: z.array(z.string()).exactOptional(),
    departed: z
      .object({ id: z.string(), slug: z.string(), movedFrom: z.array(z.string()).exactOptional() })
      .exactOptional(),
    problems: jsonText(z.array(problemSchema)).default([]),
    summary: postAttributes.summary.exactOptional(),
    body: postAttributes.body.exactOptional(),
  })
  .refine((item) => item.summary === undefined || item.body !== undefined, {
    path: ['body'],
    message: "missing: a post's body is stored beside its summary",
  });

const toSourceRecord = (table: StateTable, item: Record<string, unknown>): SourceRecord => {
  const stored = table.parse(sourceItemSchema, item);
  const record: SourceRecord = {
    sourcePath: stored.sk,
    version: stored.version,
    status: stored.status,
    claims: stored.claims,
    ...(stored.formerClaims !== undefined && stored.formerClaims.length > 0
      ? { formerClaims: stored.formerClaims }
      : {}),
    problems: stored.problems,
  };
  if (stored.etag !== undefined) record.etag = stored.etag;
  if (stored.month !== undefined) record.month = stored.month;
  if (stored.dueAt !== undefined) record.dueAt = stored.dueAt;
  if (stored.departed !== undefined) record.departed = stored.departed;
  if (stored.summary !== undefined && stored.body !== undefined) record.post = joinPost(stored.summary, stored.body);
  return record;
};

const joinPost = (summary: PostSummary, body: z.output<typeof bodySchema>): PublishedPost => ({
  ...summary,
  html: body.html,
  ...(body.excerptHtml !== undefined ? { excerptHtml: body.excerptHtml } : {}),
});

/** The post of a published `SRC` item (read from the table or the `byDate` index), bodies included. */
export const publishedPostOf = (table: StateTable, item: Record<string, unknown>): PublishedPost => {
  const { summary, body } = table.parse(z.object(postAttributes), item);
  return joinPost(summary, body);
};

/** The post of a `SRC` item without its bodies (all a month's list needs, so all it reads: `sk` and `summary`). */
export const postSummaryOf = (table: StateTable, item: Record<string, unknown>): PostSummary =>
  table.parse(z.object({ summary: postAttributes.summary }), item, { pk: 'SRC', sk: item.sk }).summary;
