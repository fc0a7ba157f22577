import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { PublisherStack } from '../../cdk/publisher-stack.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';

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

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys'?: string[] } };
}

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

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
    const actions = [statement.Action].flat();
    if (!actions.includes(`dynamodb:${call.action}`)) return false;
    const keys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
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
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new PublisherStack(app, 'Grants', {
    siteConfig: parseSiteConfig({
      title: 'Test Notes',
      baseUrl: 'https://notes.example/',
      mail: { from: 'news@notes.example', postalAddress: '1 Test Street' },
    }),
  });
  const template = Template.fromStack(stack);
  const logicalId = (element: unknown) => Stack.of(stack).resolve((element as CfnElement).logicalId) as string;
  const statementsOf = (fn: IConstruct): Statement[] => {
    const roleRef = { Ref: logicalId((fn as unknown as { role: IConstruct }).role.node.defaultChild) };
    return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [roleRef] } })).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
  };
  const tableArn = { 'Fn::GetAtt': [logicalId(stack.state.table.node.defaultChild), 'Arn'] };
  return {
    stack,
    denied: (fn, calls) =>
      [...new Set(calls.map((c) => `${c.action} ${c.pk}`))]
        .map((text) => ({ action: text.split(' ')[0] as string, pk: text.split(' ')[1] as string }))
        .filter((call) => !allows(statementsOf(fn), call, tableArn)),
  };
};
