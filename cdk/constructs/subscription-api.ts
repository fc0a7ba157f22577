import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { API_PATHS } from '../../functions/core/subscribers/links.ts';
import type { MailConfig, SiteConfig } from '../../functions/core/types.ts';
import { NodeFunction } from './node-function.ts';
import { deadLetterStore, workQueue } from './queues.ts';
import type { StateTable } from './state-table.ts';

/**
 * Throttling of the API's only stage (HTTP APIs have no per-client limits): the default for every route, and
 * budgets of their own for the two routes that matter most, so a bot flooding the subscribe form can neither queue
 * more than a couple of subscribe requests a second nor use up the budget of the one-click unsubscribes mail clients
 * send after a digest goes out. How fast queued requests become mail to SES is bounded by the confirmation sender
 * (CONFIRMATION_SENDER_CONCURRENCY), not here.
 */
export const API_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;
export const ROUTE_THROTTLES: Readonly<Record<string, { rateLimit: number; burstLimit: number }>> = {
  [`POST /${API_PATHS.subscribe}`]: { rateLimit: 2, burstLimit: 5 },
  [`POST /${API_PATHS.unsubscribe}`]: { rateLimit: 50, burstLimit: 100 },
};

/** The routes: GET and POST for every endpoint the handler serves (functions/core/subscribers/links.ts). */
export const API_ROUTES: readonly { method: HttpMethod; path: string }[] = Object.values(API_PATHS).flatMap((path) =>
  [HttpMethod.GET, HttpMethod.POST].map((method) => ({ method, path: `/${path}` })),
);

/**
 * One JSON line per request. The route key, not the path and query: confirmation and unsubscribe links carry their
 * token in the query string, and a token must not outlive its use in a log.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    route: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/**
 * Confirmation senders at most (the event source mapping's MaximumConcurrency; 2 is the least Lambda accepts): however
 * full a flood of the form makes the queue, no more than two batches of confirmations go to SES at a time.
 */
export const CONFIRMATION_SENDER_CONCURRENCY = 2;

/**
 * Time one confirmation sender invocation has for a batch of up to 10 requests, each a table read and write, a
 * personalised mail and an SES call (at most 13 s with its timeouts). A throttled send is tried again in the function
 * for up to about 6 s (4 retries with full-jitter back-off, see functions/app/throttle-retries.ts) before the request
 * goes back to the queue. The handler starts no request with less than 25 s left and hands the rest back, so a slow
 * batch ends in time rather than being cut off mid-request.
 */
export const CONFIRMATION_SENDER_TIMEOUT = Duration.seconds(90);

/**
 * Lambda's advice for an SQS event source: a visibility timeout of at least six times the function timeout, so a batch
 * is not handed out again while Lambda still retries a throttled invocation of it.
 */
export const CONFIRMATION_QUEUE_VISIBILITY = Duration.seconds(CONFIRMATION_SENDER_TIMEOUT.toSeconds() * 6);

/**
 * Receives before a subscribe request is set aside in the dead-letter queue: a request that failed five times (SES
 * paused or throttling for three quarters of an hour, a bug) waits there, with an alarm, for a person to look.
 */
export const CONFIRMATION_MAX_RECEIVE_COUNT = 5;

/**
 * Lets a function send raw mail (ses:SendRawEmail) as the configured sender only, and only with the given
 * configuration set. SES authorises a send against the verified identity covering the From address (the domain, or
 * the address itself when that is verified on its own) and against the configuration set named in the request. Shared
 * by every function that mails subscribers (the confirmation sender, the digest sender).
 */
export const grantNewsletterSending = (fn: IFunction, mail: MailConfig, configurationSet: IConfigurationSet): void => {
  const stack = Stack.of(fn);
  // SES keeps identities with the domain in lower case; IAM compares ARNs case-sensitively.
  const at = mail.from.lastIndexOf('@');
  const domain = mail.from.slice(at + 1).toLowerCase();
  const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SendAsTheNewsletter',
      effect: Effect.ALLOW,
      actions: ['ses:SendRawEmail'],
      resources: [
        identity(domain),
        identity(`${mail.from.slice(0, at)}@${domain}`),
        stack.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: configurationSet.configurationSetName,
        }),
      ],
      // The domain identity would allow any address at the domain: the function sends as the newsletter only.
      conditions: { StringEquals: { 'ses:FromAddress': mail.from } },
    }),
  );
};

export interface SubscriptionApiProps {
  stateTable: StateTable;
  /** The validated site configuration, handed to both functions as SITE_CONFIG; `mail` is required. */
  siteConfig: SiteConfig & { mail: MailConfig };
  /** The configuration set every mail is sent with (bounces and complaints come back through it). */
  configurationSet: IConfigurationSet;
}

/**
 * The subscription API: subscribe, confirm and unsubscribe, served on the site's own origin under `/api/` (the
 * distribution forwards `/api/*` here), so the subscribe form posts same-origin and the pages share the site's CSP.
 *
 * An API Gateway HTTP API, not a Lambda function URL behind CloudFront with origin access control: OAC signs the
 * request to a function URL, and for PUT and POST Lambda accepts no unsigned payload, so the viewer itself would have
 * to send the body's SHA-256 in `x-amz-content-sha256` (CloudFront developer guide, "Restrict access to an AWS
 * Lambda function URL origin"). A plain HTML form cannot, and the RFC 8058 one-click unsubscribe POST from a mail
 * client certainly does not. A public function URL without OAC would have no throttling of its own.
 *
 * Explicit routes rather than `ANY /api/{proxy+}`: probes for other paths (`/api/wp-login.php`, ...) and other
 * methods are answered 404 by API Gateway without invoking, or paying for, the function.
 *
 * Confirmation mail is sent off the request path. The API function only validates a subscribe request and queues it,
 * so every subscribe is answered alike and at once: a request that leads to mail must not take longer than one that
 * does not, or the response time would tell whether an address is on the list. The confirmation sender decides each
 * queued request against the table and mails the confirmation through SES; only it may send mail.
 * - Delivery is at-least-once per request: up to 10 requests a batch, only the failed ones come back
 *   (ReportBatchItemFailures), and a request received CONFIRMATION_MAX_RECEIVE_COUNT times goes to the dead-letter
 *   queue, whose depth raises an alarm (the stack wires it).
 * - At most CONFIRMATION_SENDER_CONCURRENCY senders run at once, through the event source mapping's maximum
 *   concurrency (as the digest sender does): Lambda stops polling rather than throttling, so no request is received,
 *   throttled and counted towards the dead-letter queue.
 */
export class SubscriptionApi extends Construct {
  /** The API function: subscribe (queues the request), confirm and unsubscribe. Sends no mail. */
  readonly handler: NodeFunction;
  /** Subscribe requests waiting for their confirmation mail. */
  readonly requests: Queue;
  /** Subscribe requests the confirmation sender failed on CONFIRMATION_MAX_RECEIVE_COUNT times. */
  readonly requestsDeadLetters: Queue;
  /** Decides queued subscribe requests and mails the confirmations through SES. */
  readonly confirmationSender: NodeFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** The secret that seals confirmation and unsubscribe tokens. */
  readonly tokenKey: Secret;

  constructor(scope: Construct, id: string, props: SubscriptionApiProps) {
    super(scope, id);
    const { siteConfig, configurationSet } = props;

    // Generated at deploy time, so the key is never in the template, the repository or an environment variable.
    // Retained: every unsubscribe link in mail already sent is sealed with a key it holds. Rotated by the operator
    // (`npm run cli -- tokens rotate`), not by a schedule: the secret becomes a key ring whose newest key seals and
    // whose previous keys still open old links for a year, which Secrets Manager's managed rotation cannot express.
    this.tokenKey = new Secret(this, 'TokenKey', {
      description: 'Key sealing the confirmation and unsubscribe links of the newsletter',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated on demand with `npm run cli -- tokens rotate`, which keeps the replaced key accepted (365 days by ' +
        'default) so unsubscribe links in mail already delivered keep working; a scheduled rotation Lambda would ' +
        'replace the key without that grace period and break those links.',
    });

    this.requestsDeadLetters = deadLetterStore(
      this,
      'RequestDeadLetters',
      'This queue is itself the dead-letter queue of the subscribe requests, and its depth raises an alarm; a DLQ ' +
        'for it would only move the same failed requests one queue further.',
    );
    this.requests = workQueue(this, 'Requests', {
      visibilityTimeout: CONFIRMATION_QUEUE_VISIBILITY,
      deadLetters: this.requestsDeadLetters,
      maxReceiveCount: CONFIRMATION_MAX_RECEIVE_COUNT,
    });

    // Lambda environment variables share 4 KB; PublishFunction already refuses a site config over 3 KB.
    const siteConfigJson = JSON.stringify(siteConfig);

    this.handler = new NodeFunction(this, 'Handler', {
      entry: 'functions/handlers/subscription-api.ts',
      description: 'Subscription API: subscribe (queues the request), confirm, unsubscribe',
      // A visitor is waiting; the HTTP API gives up on the integration after 30 seconds anyway.
      timeout: Duration.seconds(10),
      environment: { SITE_CONFIG: siteConfigJson },
    });
    this.grantTokenKey(this.handler);
    props.stateTable.grantSubscriberAccess(this.handler);
    this.requests.grantSendMessages(this.handler);
    this.handler.addEnvironment('SUBSCRIBE_QUEUE_URL', this.requests.queueUrl);

    this.confirmationSender = new NodeFunction(this, 'ConfirmationSender', {
      entry: 'functions/handlers/send-confirmation.ts',
      // MJML templates of the confirmation mail, read at cold start.
      copyIntoBundle: { 'templates/mail': 'mail' },
      description: 'Confirmation mail: decides queued subscribe requests and sends the confirmation',
      timeout: CONFIRMATION_SENDER_TIMEOUT,
      environment: { SITE_CONFIG: siteConfigJson },
    });
    this.grantTokenKey(this.confirmationSender);
    props.stateTable.grantSubscriberAccess(this.confirmationSender);
    grantNewsletterSending(this.confirmationSender, siteConfig.mail, configurationSet);
    this.confirmationSender.addEnvironment('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
    this.confirmationSender.addEventSource(
      new SqsEventSource(this.requests, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: CONFIRMATION_SENDER_CONCURRENCY,
      }),
    );

    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-subscriptions`,
      description: 'Subscription API of the newsletter, reached through the site distribution under /api/',
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('Handler', this.handler);
    const routes = API_ROUTES.flatMap(({ method, path }) =>
      this.api.addRoutes({ path, methods: [method], integration }),
    );

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });
    // HttpStage has no per-route settings; the stage names routes by key, so they must exist before it.
    (this.stage.node.defaultChild as CfnStage).addPropertyOverride(
      'RouteSettings',
      Object.fromEntries(
        Object.entries(ROUTE_THROTTLES).map(([route, limit]) => [
          route,
          { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit },
        ]),
      ),
    );
    for (const route of routes) this.stage.node.addDependency(route);
    this.acknowledgeOpenRoutes();
  }

  /** The host CloudFront forwards `/api/*` to: the `$default` stage answers at the root of the execute-api domain. */
  get originDomainName(): string {
    const stack = Stack.of(this);
    return `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }

  /** Lets a function read the token key, and tells it where the key is. */
  private grantTokenKey(fn: NodeFunction): void {
    this.tokenKey.grantRead(fn);
    fn.addEnvironment('TOKEN_SECRET_ARN', this.tokenKey.secretArn);
  }

  /** Covers every route of the API (acknowledgements apply to a construct and what it contains). */
  private acknowledgeOpenRoutes(): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'A public newsletter form and the links in its mail: visitors have no account to authorise. Confirm and ' +
        'unsubscribe act only on a sealed (authenticated, encrypted) token from the link; subscribe only queues a ' +
        'request that leads to at most one confirmation mail per address per cooldown, the stage is throttled, and ' +
        'the confirmation sender runs at most two at a time.',
    });
  }
}
