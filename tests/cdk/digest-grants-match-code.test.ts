import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublisherStack } from '../../cdk/publisher-stack.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';

/*
 * The digest functions' IAM grants against what their code really calls: the planner and the sender run over the
 * DynamoDB stand-in with every request recorded (operation and partition key), and each recorded request must be
 * allowed by a statement of that function's role in the synthesised stack. The stand-in enforces no IAM, so without
 * this a missing grant would only show after deploying.
 */
interface Call {
  action: string;
  pk: string;
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

interface Statement {
  Action: string | string[];
  Condition?: { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys'?: string[] } };
}

const allows = (statements: Statement[], call: Call): boolean =>
  statements.some((statement) => {
    const actions = [statement.Action].flat();
    if (!actions.includes(`dynamodb:${call.action}`)) return false;
    const keys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    if (!keys) return false;
    return keys.some((pattern) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(call.pk),
    );
  });

describe('digest IAM grants cover the calls the code makes', () => {
  let h: DigestHarness;
  let role: 'planner' | 'sender' = 'planner';
  const calls: Record<'planner' | 'sender', Call[]> = { planner: [], sender: [] };
  let statementsOf: (fn: IConstruct) => Statement[];
  let stack: PublisherStack;

  beforeAll(async () => {
    h = await startDigestHarness();
    h.standIns.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const action = String(context.commandName ?? '').replace(/Command$/, '');
        calls[role].push({ action, pk: pkOf(args.input as Record<string, unknown>) });
        return next(args);
      },
      { step: 'initialize', name: 'recordCalls' },
    );
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    stack = new PublisherStack(app, 'Grants', {
      siteConfig: parseSiteConfig({
        title: 'Test Notes',
        baseUrl: 'https://notes.example/',
        mail: { from: 'news@notes.example', postalAddress: '1 Test Street' },
      }),
    });
    const template = Template.fromStack(stack);
    const logicalId = (element: unknown) => Stack.of(stack).resolve((element as CfnElement).logicalId) as string;
    statementsOf = (fn) => {
      const roleRef = { Ref: logicalId((fn as unknown as { role: IConstruct }).role.node.defaultChild) };
      return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [roleRef] } })).flatMap(
        (policy) =>
          (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
            .Statement,
      );
    };
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('lets the planner and the sender do everything they do, and records what that is', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(20);
    await h.addSubscribers(2, 'unsubscribed', 'left');
    calls.planner.length = 0;

    role = 'planner';
    await h.plan();
    role = 'sender';
    await h.drain();

    const denied = (name: 'planner' | 'sender', fn: IConstruct) =>
      [...new Set(calls[name].map((c) => `${c.action} ${c.pk}`))]
        .map((text) => ({ action: text.split(' ')[0] as string, pk: text.split(' ')[1] as string }))
        .filter((call) => !allows(statementsOf(fn), call));
    expect(calls.planner.length).toBeGreaterThan(0);
    expect(calls.sender.length).toBeGreaterThan(0);
    expect(denied('planner', stack.digests.planner)).toEqual([]);
    expect(denied('sender', stack.digests.sender)).toEqual([]);
  });
});
