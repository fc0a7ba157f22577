import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readLocalRun } from '../local/local-run-file.ts';
import { connectToStandIns, type LocalStandIns } from '../local/stand-ins.ts';

/** What the CLI says when it has no table to work on. */
export const NO_TABLE =
  'no local run is going: start `npm start` in another terminal, or pass --table <name> for a deployed stack';

/**
 * The state table the subscriber and digest commands work on: a deployed stack's (`--table`, with the operator's
 * AWS credentials) or, by default, the running local run's DynamoDB stand-in. Undefined when neither is there.
 */
export const openTable = async (
  values: { table?: string | undefined; region?: string | undefined },
  cwd: string,
): Promise<LocalStandIns | undefined> => {
  if (values.table) {
    return { dynamo: new DynamoDBClient(values.region ? { region: values.region } : {}), tableName: values.table };
  }
  const run = await readLocalRun(cwd);
  return run ? connectToStandIns(run) : undefined;
};
