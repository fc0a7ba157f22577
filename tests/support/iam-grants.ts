import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { actionsOf, arnOf, type Statement, synthesisePublisherStack } from './stack-template.ts';

/*
 * Checks a function's IAM grants against what its code really calls: the code runs over the DynamoDB stand-in with
 * every request recorded (operation, partition key, and index when it reads one), and each recorded request must be
 * allowed by a statement of that function's role in the synthesised stack. The stand-in enforces no IAM, so without
 * this a missing grant would only show after deploying.
 *
 * Statements are read as IAM reads them, as far as this stack uses IAM: an Allow without a condition allows every
 * item; `ForAllValues:StringLike` on `dynamodb:LeadingKeys` allows the keys it matches, and also a request that names
 * no partition key at all (a Scan), since ForAllValues holds for an empty set. Any other condition is not evaluated
 * and counts as not allowing.
 */
export interface Call {
  action: string;
  /** The partition key the request names; undefined for a request that names none (a Scan). */
  pk?: string | undefined;
  /** The index a Query or Scan reads, when it reads one. */
  index?: string | undefined;
}

/** A key attribute as the document client passes it (a string) or as the low-level client does (`{ S }`). */
const stringOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
};

/** The partition key a KeyConditionExpression fixes: `pk = :value`, possibly through an attribute name. */
const queriedPk = (input: Record<string, unknown>): string | undefined => {
  const expression = input.KeyConditionExpression;
  if (typeof expression !== 'string') return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const [, name, value] of expression.matchAll(/(#?[\w]+)\s*=\s*(:[\w]+)/g)) {
    if ((names[name as string] ?? name) === 'pk') return stringOf(values[value as string]);
  }
  return undefined;
};

/** The calls one request stands for: one per partition key for a batch, which IAM checks key by key. */
const callsOf = (action: string, input: Record<string, unknown>): Call[] => {
  const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
  if (action === 'BatchGetItem' || action === 'BatchWriteItem') {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, unknown>);
    const keys = requests.flatMap((request) =>
      action === 'BatchGetItem'
        ? ((request as { Keys?: Record<string, unknown>[] }).Keys ?? [])
        : (
            request as {
              PutRequest?: { Item: Record<string, unknown> };
              DeleteRequest?: { Key: Record<string, unknown> };
            }[]
          ).map((write) => write.PutRequest?.Item ?? write.DeleteRequest?.Key ?? {}),
    );
    return [...new Set(keys.map((key) => stringOf(key.pk)))].map((pk) => ({ action, pk }));
  }
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const pk = key ? stringOf(key.pk) : queriedPk(input);
  return [{ action, pk, ...(index ? { index } : {}) }];
};

const matches = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(value);

/**
 * An Allow statement for the action, on the resource the call reads (`resourceOf`: the table, or the index it
 * queries, as the template refers to them), for its partition key.
 */
const allows = (statements: Statement[], call: Call, resourceOf: (call: Call) => unknown): boolean =>
  statements.some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
    if (!resources.includes(JSON.stringify(resourceOf(call))) && !resources.includes('"*"')) return false;
    if (!actionsOf(statement).includes(`dynamodb:${call.action}`)) return false;
    const conditions = statement.Condition ?? {};
    if (Object.keys(conditions).length === 0) return true;
    const operators = Object.keys(conditions);
    const keys = conditions['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
    if (!keys || operators.length > 1 || Object.keys(conditions['ForAllValues:StringLike'] ?? {}).length > 1) {
      return false;
    }
    if (call.pk === undefined) return true;
    const pk = call.pk;
    return keys.some((pattern) => matches(pattern, pk));
  });

/** Records every DynamoDB request the client makes, under whichever name `current()` gives at the time. */
export const recordDynamoCalls = <Name extends string>(
  client: DynamoDBClient,
  current: () => Name,
): Record<Name, Call[]> => {
  const calls = {} as Record<Name, Call[]>;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? '').replace(/Command$/, '');
      const name = current();
      calls[name] ??= [];
      calls[name].push(...callsOf(action, args.input as Record<string, unknown>));
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return calls;
};

/** A call as one line, `Query SRC byDate`, for reports and for comparing sets of calls. */
export const describeCall = (call: Call): string =>
  [call.action, call.pk ?? '(no key)', ...(call.index ? [call.index] : [])].join(' ');

/** The stack as `cdk synth` builds it (without bundling), and the calls a function's role does not allow. */
export const synthesiseForGrants = (): { stack: PublisherStack; denied: (fn: IConstruct, calls: Call[]) => Call[] } => {
  const { stack, roleStatements } = synthesisePublisherStack(
    parseSiteConfig({
      title: 'Test Notes',
      baseUrl: 'https://notes.example/',
      mail: { from: 'news@notes.example', postalAddress: '1 Test Street' },
    }),
    { id: 'Grants', nag: false },
  );
  const statementsOf = (fn: IConstruct) => roleStatements((fn as unknown as { role: IConstruct }).role);
  const table = stack.state.table;
  const resourceOf = (call: Call): unknown =>
    call.index === undefined ? arnOf(table) : Stack.of(table).resolve(`${table.tableArn}/index/${call.index}`);
  return {
    stack,
    denied: (fn, calls) => {
      const unique = new Map(calls.map((call) => [describeCall(call), call]));
      return [...unique.values()].filter((call) => !allows(statementsOf(fn), call, resourceOf));
    },
  };
};
