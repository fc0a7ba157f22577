import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { STATE_TABLE_KEYS } from '../adapters/dynamo-table.ts';

/**
 * In-process stand-ins for S3 (s3rver) and DynamoDB (dynalite), spoken to over real HTTP by the real SDK clients.
 * Used by the local run, the integration tests and the benchmark. See shared/FINDINGS.md for their gaps.
 */
export interface StandIns {
  s3: S3Client;
  dynamo: DynamoDBClient;
  bucket: string;
  tableName: string;
  s3Endpoint: string;
  dynamoEndpoint: string;
  /** Called with every S3-style notification the bucket emits (synchronously, as s3rver does). */
  onObjectEvent(listener: (event: S3Event) => void): void;
  close(): Promise<void>;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'us-east-1';

/** What another process needs, besides an endpoint, to talk to the stand-ins (they accept any credentials). */
export const STAND_IN_CLIENT_SETTINGS = { region, credentials } as const;

/** The DynamoDB side of the stand-ins, reached from this process or from another one (the CLI). */
export interface LocalStandIns {
  dynamo: DynamoDBClient;
  tableName: string;
}

/** A client for the DynamoDB stand-in of a local run in another process. */
export const connectToStandIns = (run: { dynamoEndpoint: string; tableName: string }): LocalStandIns => ({
  dynamo: new DynamoDBClient({ endpoint: run.dynamoEndpoint, ...STAND_IN_CLIENT_SETTINGS }),
  tableName: run.tableName,
});

/**
 * Node's defaults let a stalled request hold a socket for 300 s. The stand-ins listen on loopback for this process
 * and the CLI, whose requests (a post upload, a batch write) arrive in well under a second; a minute is generous.
 */
const boundRequests = (server: Server): void => {
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
};

export const startStandIns = async (options: { bucket?: string; tableName?: string } = {}): Promise<StandIns> => {
  const bucket = options.bucket ?? 'feedmail-content';
  const tableName = options.tableName ?? 'feedmail-state';
  const directory = await mkdtemp(join(tmpdir(), 'feedmail-s3-'));

  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    resetOnClose: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const s3Address = (await s3rver.run()) as AddressInfo;
  boundRequests((s3rver as unknown as { httpServer: Server }).httpServer);
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamoServer.listen(0, '127.0.0.1', () => resolve()));
  boundRequests(dynamoServer);
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;

  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region,
    credentials,
    forcePathStyle: true,
    // s3rver stores aws-chunked framing inside streamed bodies unless checksums are only sent when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
  await createStateTable(dynamo, tableName);

  const listeners: ((event: S3Event) => void)[] = [];
  s3rver.on('event', (event: S3Event) => {
    for (const listener of listeners) listener(event);
  });

  return {
    s3,
    dynamo,
    bucket,
    tableName,
    s3Endpoint,
    dynamoEndpoint,
    onObjectEvent: (listener) => listeners.push(listener),
    async close() {
      s3.destroy();
      dynamo.destroy();
      await s3rver.close();
      await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
      await rm(directory, { recursive: true, force: true });
    },
  };
};

/** The same table the stack declares in cdk/: pk/sk strings and the local secondary index byDate. */
export const createStateTable = async (dynamo: DynamoDBClient, tableName: string): Promise<void> => {
  const { partitionKey, sortKey, byDateIndex, byDateKey } = STATE_TABLE_KEYS;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: sortKey, AttributeType: 'S' },
        { AttributeName: byDateKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: byDateIndex,
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: byDateKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  // dynalite answers CreateTable while the table is still CREATING and makes it ACTIVE on a timer: a request that
  // arrives first fails with ResourceNotFoundException (seen on a loaded CI machine). Wait until it is ACTIVE.
  for (let attempt = 0; ; attempt++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (attempt >= 200) throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? 'missing'} after 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
