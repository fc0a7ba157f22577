import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createDynamoDeliveries } from '../../functions/adapters/dynamo-deliveries.ts';
import { createDynamoDigestLedger } from '../../functions/adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../../functions/adapters/dynamo-mail-queue.ts';
import { createDynamoNameClaims } from '../../functions/adapters/dynamo-name-claims.ts';
import { createDynamoPostArchive } from '../../functions/adapters/dynamo-post-archive.ts';
import { createDynamoSourceIndex } from '../../functions/adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore, shardOf } from '../../functions/adapters/dynamo-subscriber-store.ts';
import { openStateTable, type StateTable } from '../../functions/adapters/dynamo-table.ts';
import { StoredRecordError } from '../../functions/core/errors.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';

/*
 * Records read back from the state table are checked against the shape the code writes: one damaged by hand (or
 * written by something else) fails with a StoredRecordError that names the table, the record and each wrong field,
 * instead of travelling on as a value of the wrong type. Against the DynamoDB stand-in, the damage written straight
 * into the table as an operator's console would.
 */
describe('records read back from the state table', () => {
  let standIns: StandIns;
  let table: StateTable;

  beforeEach(async () => {
    standIns = await startStandIns({ tableName: 'feedmail-state-test' });
    table = openStateTable({ tableName: standIns.tableName, client: standIns.dynamo });
  });
  afterEach(async () => {
    await standIns.close();
  });

  const write = (item: Record<string, unknown>) =>
    table.doc.send(new PutCommand({ TableName: standIns.tableName, Item: item }));

  /** What `read` threw, for assertions on its fields. */
  const failureOf = async (read: () => Promise<unknown>): Promise<unknown> => {
    try {
      await read();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  const subscriber = (fields: Record<string, unknown> = {}) => ({
    pk: `SUB#${shardOf('ada@example.org')}`,
    sk: 'ada@example.org',
    key: 'ada@example.org',
    address: 'ada@example.org',
    status: 'confirmed',
    subscribedAt: '2026-01-01T00:00:00.000Z',
    subscribedVia: 'form',
    version: 2,
    ...fields,
  });

  it('names the table, the record and the field of a subscriber whose status is damaged', async () => {
    // Prepare
    await write(subscriber({ status: 'confirmd' }));
    const store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo });

    // Act
    const error = await failureOf(() => store.get('ada@example.org'));

    // Assess
    expect(error).toBeInstanceOf(StoredRecordError);
    expect((error as StoredRecordError).message).toBe(
      `state table feedmail-state-test, record (SUB#${shardOf('ada@example.org')}, ada@example.org): ` +
        'field "status": expected one of "pending"|"confirmed"|"unsubscribed"|"suppressed"',
    );
    expect(error).toMatchObject({ table: 'feedmail-state-test', fields: ['status'] });
    expect((error as StoredRecordError).cause).toBeInstanceOf(ZodError);
  });

  it('reports every damaged field of a record at once', async () => {
    // Prepare
    await write(subscriber({ version: '2', subscribedVia: 'fax', confirmSends: ['2026-01-01', 7] }));
    const store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo });

    // Act
    const error = await failureOf(async () => {
      for await (const _page of store.list({ status: 'confirmed' }));
    });

    // Assess
    expect(error).toBeInstanceOf(StoredRecordError);
    expect((error as StoredRecordError).fields).toEqual(['subscribedVia', 'confirmSends.1', 'version']);
    expect((error as StoredRecordError).message).toContain('field "version": expected number, received string');
  });

  it('keeps the attributes of a subscriber it does not know, as it always has', async () => {
    // Prepare
    await write(subscriber({ note: 'imported from the old list' }));
    const store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo });

    // Act
    const read = await store.get('ada@example.org');

    // Assess
    const { pk: _pk, sk: _sk, ...stored } = subscriber({ note: 'imported from the old list' });
    expect(read).toEqual(stored);
  });

  it('names the field inside the JSON of a source record', async () => {
    // Prepare
    const summary = { id: 'p1', sourcePath: 'p1.md', slug: 'p1', url: 'https://x.example/p1/', title: 42 };
    await write({
      pk: 'SRC',
      sk: 'p1.md',
      sourcePath: 'p1.md',
      version: 1,
      status: 'published',
      claims: [],
      problems: '[]',
      summary: JSON.stringify({ ...summary, date: '2026-01-01T00:00:00Z', summary: '', tags: [], categories: [] }),
      body: gzipSync(JSON.stringify({ html: '<p>x</p>' })),
    });

    // Act
    const error = await failureOf(() => createDynamoSourceIndex(table).getSource('p1.md'));

    // Assess
    expect(error).toBeInstanceOf(StoredRecordError);
    expect((error as StoredRecordError).message).toBe(
      'state table feedmail-state-test, record (SRC, p1.md): field "summary.title": expected string, received number; ' +
        'field "summary.authors": expected array, received undefined',
    );
  });

  it('names a post stored without its body', async () => {
    // Prepare
    const summary = {
      id: 'p2',
      sourcePath: 'p2.md',
      slug: 'p2',
      url: 'https://x.example/p2/',
      title: 'P2',
      date: '2026-01-01T00:00:00Z',
      summary: '',
      tags: [],
      categories: [],
      authors: [{ name: 'Ada', url: 'https://ada.example/' }],
    };
    await write({
      pk: 'SRC',
      sk: 'p2.md',
      version: 1,
      status: 'published',
      claims: [],
      problems: '[]',
      summary: JSON.stringify(summary),
    });

    // Act
    const error = await failureOf(() => createDynamoSourceIndex(table).getSource('p2.md'));

    // Assess
    expect((error as StoredRecordError).message).toBe(
      'state table feedmail-state-test, record (SRC, p2.md): field "body": ' +
        "missing: a post's body is stored beside its summary",
    );
  });

  it('names a month whose archive entries are not gzipped JSON', async () => {
    // Prepare
    await write({ pk: 'MONTH', sk: '2026-01', count: 2, posts: new TextEncoder().encode('[]') });

    // Act
    const error = await failureOf(() => createDynamoPostArchive(table).listMonths());

    // Assess
    expect((error as StoredRecordError).message).toBe(
      'state table feedmail-state-test, record (MONTH, 2026-01): field "posts": expected gzipped JSON',
    );
  });

  it('names the digest of a listing read without its keys', async () => {
    // Prepare
    await write({
      pk: 'DIGEST',
      sk: '2026-11-23T07:00Z',
      id: '2026-11-23T07:00Z',
      status: 'sending',
      createdAt: '2026-11-23T07:00:00.000Z',
      feedIds: ['p1'],
      shardsQueued: [],
      recipients: 'many',
      batches: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      uncertain: 0,
    });

    // Act
    const error = await failureOf(() => createDynamoDigestLedger(table).listDigests(10));

    // Assess
    expect((error as StoredRecordError).message).toBe(
      'state table feedmail-state-test, record (DIGEST, 2026-11-23T07:00Z): field "recipients": expected number, ' +
        'received string',
    );
  });

  it('names a delivery in a state no sender writes', async () => {
    // Prepare
    const key = 'ada@example.org';
    await write({
      pk: `DELIV#d1#${shardOf(key)}`,
      sk: key,
      digestId: 'd1',
      key,
      state: 'lost',
      owner: 'sender-1',
      at: '2026-11-23T07:00:00.000Z',
    });
    const deliveries = createDynamoDeliveries(table, { shards: [shardOf(key)] });

    // Act
    const error = await failureOf(() =>
      deliveries.claimDelivery({ digestId: 'd1', key, owner: 'sender-2', leaseUntil: 'z', now: 'a' }),
    );

    // Assess
    expect((error as StoredRecordError).fields).toEqual(['state']);
    expect((error as StoredRecordError).record).toBe(`(DELIV#d1#${shardOf(key)}, ${key})`);
  });

  it('names a queued post without the file it is read from', async () => {
    // Prepare
    await write({ pk: 'MAILQ', sk: 'p1', feedId: 'p1', queuedAt: '2026-11-23T07:00:00.000Z' });

    // Act
    const error = await failureOf(() => createDynamoMailQueue(table).listQueued(''));

    // Assess
    expect((error as StoredRecordError).message).toBe(
      'state table feedmail-state-test, record (MAILQ, p1): field "sourcePath": expected string, received undefined',
    );
  });

  it('reads back a name first claimed without a post id (stored as NULL)', async () => {
    // Prepare
    const claims = createDynamoNameClaims(table);

    // Act
    const taken = await claims.claim('slug:hello', 'hello.md', undefined);
    const read = await claims.getClaim('slug:hello');

    // Assess
    expect(taken).toEqual({ name: 'slug:hello', owner: 'hello.md' });
    expect(read).toEqual({ name: 'slug:hello', owner: 'hello.md' });
  });
});
