import { describe, expect, it } from 'vitest';
import { NodeFunction } from '../../cdk/constructs/node-function.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { synthesisePublisherStack } from '../support/stack-template.ts';

/*
 * Every function of ours, in the whole stack: the newest Node.js runtime, arm64, a log group kept a month, a timeout
 * that suits its trigger. (CDK's own S3-notifications helper is CDK's code, not ours, and is left as CDK makes it.)
 */
const { stack, template, propertiesOf } = synthesisePublisherStack(
  parseSiteConfig({
    title: 'Test Notes',
    baseUrl: 'https://notes.example/',
    mail: { from: 'news@notes.example', postalAddress: '1 Test Street' },
  }),
  { id: 'Runtime' },
);
const functions = stack.node.findAll().filter((c): c is NodeFunction => c instanceof NodeFunction);

describe('the functions of the stack', () => {
  it('are all ours that run the deployed code: publish, due, API, confirmations, feedback, planner, sender, pause', () => {
    expect(functions.map((fn) => fn.node.path.split('/').slice(1, 2)[0]).sort()).toEqual([
      'Alarms',
      'Digests',
      'Digests',
      'MailFeedback',
      'Publish',
      'Publish',
      'Subscriptions',
      'Subscriptions',
    ]);
  });

  it.each(functions.map((fn) => [fn.node.path, fn] as const))(
    '%s runs Node.js 24 on arm64 with a month of logs',
    (_, fn) => {
      const properties = propertiesOf(fn);

      expect(properties.Runtime).toBe('nodejs24.x');
      expect(properties.Architectures).toEqual(['arm64']);
      expect(properties.Timeout).toBeLessThanOrEqual(600);
      expect(properties.LoggingConfig?.LogGroup).toBeDefined();
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    },
  );
});
