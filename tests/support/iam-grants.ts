import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IConstruct } from 'constructs';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { actionsOf, arnOf, type Statement, synthesisePublisherStack } from './stack-template.ts';

/*
 * Checks a function's IAM grants against what its code really calls: the code runs over the DynamoDB stand-in with
 * every request recorded (operation and partition key), and each recorded request must be allowed by a statement of
 * that function's role in the synthesised stack. The stand-in enforces no IAM, so without this a missing grant would
 * only show after deploying.
 */
export interface Call {
  action: string;
  pk: string;
}

const pkOf = (input: Record<string, unknown>): string => {
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (typeof key?.pk === 'string') return key.pk;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  return String(values?.[':pk'] ?? '?');
};

/** An Allow statement for the action, on the state table (`tableArn`, as the template refers to it), for the key. */
const allows = (statements: Statement[], call: Call, tableArn: unknown): boolean =>
  statements.some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
    if (!resources.includes(JSON.stringify(tableArn))) return false;
    if (!actionsOf(statement).includes(`dynamodb:${call.action}`)) return false;
    const keys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
    if (!keys) return false;
    return keys.some((pattern) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(call.pk),
    );
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
      calls[name].push({ action, pk: pkOf(args.input as Record<string, unknown>) });
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return calls;
};

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
  const tableArn = arnOf(stack.state.table);
  return {
    stack,
    denied: (fn, calls) =>
      [...new Set(calls.map((c) => `${c.action} ${c.pk}`))]
        .map((text) => ({ action: text.split(' ')[0] as string, pk: text.split(' ')[1] as string }))
        .filter((call) => !allows(statementsOf(fn), call, tableArn)),
  };
};
