import { readFileSync } from 'node:fs';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { PublisherStack } from '../../cdk/publisher-stack.ts';
import type { SiteConfig } from '../../functions/core/types.ts';

/*
 * One copy of what the CDK tests need to synthesise a stack and read its template. The context of cdk.json, feature
 * flags included, so the tests see what `cdk synth` makes.
 */
export const cdkContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * An app with cdk.json's context that bundles no function code. Bundling is the slow part, and `cdk synth` and
 * node-function.test.ts exercise it, so the function code is a placeholder asset: its configuration is what the
 * tests check.
 */
export const createTestApp = (): App => new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });

/** Turns cdk-nag on: Template.fromStack then throws on any finding that is not acknowledged. */
export const addCdkNag = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};

/** The CloudFormation element itself, or the default child of a higher-level construct. */
const cfnElementOf = (target: IConstruct | undefined): CfnElement => {
  const element = target && CfnElement.isCfnElement(target) ? target : target?.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element)) {
    throw new Error(`${target?.node.path ?? 'undefined'} is no CloudFormation element and has none as default child`);
  }
  return element;
};

/** The logical id of a CloudFormation element, or of a construct's default child, as the template names it. */
export const logicalId = (target: IConstruct | undefined): string => {
  const element = cfnElementOf(target);
  return Stack.of(element).resolve(element.logicalId) as string;
};
export const ref = (target: IConstruct | undefined) => ({ Ref: logicalId(target) });
export const arnOf = (target: IConstruct | undefined) => ({ 'Fn::GetAtt': [logicalId(target), 'Arn'] });

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}
export const actionsOf = (statement: Statement) => [statement.Action].flat();
export const withPrefix = (statements: Statement[], prefix: string) =>
  statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith(prefix)));

/** The rule ids acknowledged on a construct or anything inside it, with their reasons. */
export const acknowledgedIn = (scope: IConstruct): Record<string, string> =>
  Object.assign(
    {},
    ...scope.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) =>
        // Stored as `Annotation::<rule id>`.
        Object.fromEntries(
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => [
            id.replace(/^Annotation::/, ''),
            reason,
          ]),
        ),
      ),
  );

/**
 * Readers of a template. It is passed as a getter, so that a test file can bind these once at module scope and
 * synthesise in `beforeAll`.
 */
export const readTemplate = (template: () => Template) => {
  const propertiesOf = (target: IConstruct | undefined) => template().toJSON().Resources[logicalId(target)].Properties;
  const variablesOf = (fn: IConstruct): Record<string, unknown> => propertiesOf(fn).Environment.Variables;
  /** Every IAM statement attached to a role, from every policy that names it. */
  const roleStatements = (role: IConstruct | undefined): Statement[] =>
    Object.values(template().findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(role)] } })).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
  return { propertiesOf, variablesOf, roleStatements };
};

/** Synthesises a PublisherStack (with cdk-nag on unless `nag` is false), and the readers of its template. */
export const synthesisePublisherStack = (
  siteConfig: SiteConfig,
  { id = 'Test', nag = true }: { id?: string; nag?: boolean } = {},
) => {
  const app = createTestApp();
  const stack = new PublisherStack(app, id, { siteConfig });
  if (nag) addCdkNag(app);
  const template = Template.fromStack(stack);
  return { app, stack, template, ...readTemplate(() => template) };
};
