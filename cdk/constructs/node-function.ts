import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Bundled CommonJS dependencies (gray-matter, sanitize-html, ...) may call `require` for Node built-ins, which an ES
 * module does not have; esbuild's own shim throws "Dynamic require is not supported" without this.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);";

/** What a function of this project chooses; everything else is a project-wide default set here. */
export type NodeFunctionProps = Omit<
  NodejsFunctionProps,
  'entry' | 'runtime' | 'architecture' | 'bundling' | 'logGroup' | 'logRetention' | 'role' | 'tracing' | 'code'
> & {
  /** Handler source, relative to the repository root, e.g. `functions/handlers/publish-post.ts`. */
  entry: string;
  /** X-Ray active tracing. Off by default: it costs per trace and needs a `*` IAM grant. */
  tracing?: boolean;
  /**
   * Folders the handler reads at run time, copied into the bundle: repository path -> path beside the handler.
   * @example { 'templates/site': 'site' } // the handler reads new URL('./site', import.meta.url)
   */
  copyIntoBundle?: Record<string, string>;
};

const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

/**
 * A Lambda function with the defaults every function of the project shares: Node.js 24 on arm64, bundled locally
 * with esbuild as an ES module, a log group of its own kept for a month, and a role that may write to that log group
 * only (no AWSLambdaBasicExecutionRole, whose `*` resources cdk-nag rightly flags).
 *
 * The AWS SDK is bundled rather than taken from the runtime: the deployed code then runs the exact @aws-sdk version
 * pinned in package-lock.json and exercised by the tests, instead of whatever version the runtime ships that month.
 * The cost is a larger bundle and a slightly slower cold start, worth it for a function invoked per upload.
 *
 * @example new NodeFunction(this, 'Handler', { entry: 'functions/handlers/publish-post.ts', description: 'Publishes' })
 */
export class NodeFunction extends NodejsFunction {
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const { entry, tracing = false, copyIntoBundle = {}, environment, ...rest } = props;
    // Created beside the function, not inside it: the function needs both at construction time.
    const logs = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logs.grantWrite(role);

    super(scope, id, {
      timeout: Duration.seconds(30),
      memorySize: 512,
      ...rest,
      entry: join(REPO_ROOT, entry),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      role,
      logGroup: logs,
      tracing: tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        // Stack traces point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Only `typescript`, which mjml's config loader imports on a path the functions never take: see the class
        // comment about the AWS SDK. cheerio/slim renders mjml's HTML byte for byte like cheerio, at a third of the
        // size (shared/FINDINGS.md: 9.1 MB -> 3.1 MB for the subscription API).
        externalModules: ['typescript'],
        esbuildArgs: { '--alias:cheerio': 'cheerio/slim' },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) =>
            Object.entries(copyIntoBundle).map(
              ([from, to]) => `cp -R ${shellQuote(join(inputDir, from))} ${shellQuote(join(outputDir, to))}`,
            ),
        },
      },
    });
    this.logs = logs;

    if (tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      });
    }
  }
}
