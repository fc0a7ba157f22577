import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STAND_IN_CLIENT_SETTINGS } from '../functions/local/stand-ins.ts';

/**
 * The DynamoDB stand-in in a child process (bench/stand-in-process.ts), as with `npm start` in one terminal and the
 * CLI in another: the benchmark's client and the stand-in do not share one CPU's event loop.
 */
export const startStandInProcess = async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'stand-in-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const endpoints = JSON.parse(line) as { dynamoEndpoint: string; tableName: string };
  const client = new DynamoDBClient({ endpoint: endpoints.dynamoEndpoint, ...STAND_IN_CLIENT_SETTINGS });
  return {
    client,
    tableName: endpoints.tableName,
    close: async () => {
      client.destroy();
      child.stdin.end();
      await once(child, 'exit');
    },
  };
};
