/**
 * The digest's costs: compiling the mail once (MJML), personalising it per recipient, sending at the SES account's
 * rate through the real sender, and the sender function's bundle and cold start. One function per measurement.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createDynamoDeliveries } from '../functions/adapters/dynamo-deliveries.ts';
import { createDynamoDigestLedger } from '../functions/adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../functions/adapters/dynamo-mail-queue.ts';
import { createDynamoSendingPause } from '../functions/adapters/dynamo-sending-pause.ts';
import { createDynamoSourceIndex } from '../functions/adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore } from '../functions/adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../functions/adapters/dynamo-table.ts';
import type { Logger } from '../functions/app/logger.ts';
import { planDigests } from '../functions/app/plan-digest.ts';
import type { MailQueue, RecipientBatch, SourceIndex } from '../functions/app/ports.ts';
import { type SenderDeps, sendRecipientBatch } from '../functions/app/send-digest.ts';
import type { SendQuota } from '../functions/core/digest/pacing.ts';
import { type CompiledDigest, compileDigestMail } from '../functions/core/mail/digest-mail.ts';
import { buildDigestMessage } from '../functions/core/mail/digest-message.ts';
import { apiUrl } from '../functions/core/subscribers/links.ts';
import { signToken } from '../functions/core/subscribers/tokens.ts';
import type { SiteConfig } from '../functions/core/types.ts';
import { loadMailTemplates, makeDigest, makeDigestPost, makeDigestSite } from '../tests/support/digest-fixtures.ts';
import { createSesStandIn } from './ses-stand-in.ts';
import { startStandInProcess } from './stand-in-client.ts';

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The token-signing key, 64 characters as the stack generates it (the figures do not depend on its value). */
const TOKEN_KEY = 'k'.repeat(64);
/** When the digest goes out: fixed, so the compiled mail (and its size) is the same from run to run. */
const DIGEST_NOW = new Date('2026-11-23T07:00:00Z');

/** The same digest everywhere below: 10 plausible posts (3.5 to 5.5 KB of HTML each) on the test site. */
const digestInput = () => {
  const site = makeDigestSite();
  const posts = Array.from({ length: 10 }, (_, i) => makeDigestPost(i + 1, site));
  return { site, posts, files: loadMailTemplates() };
};

export interface CompileMeasurement {
  /** Median wall time of one compileDigestMail, warm, in ms. */
  ms: number;
  compiled: CompiledDigest;
}

/**
 * compileDigestMail for 10 posts, warm: the planner compiles once per digest, so this is a per-digest cost, not a
 * per-recipient one. Two warm-ups first (MJML's first render loads and JITs its components), then the median of
 * `runs`.
 */
export const measureDigestCompile = async (runs = 10, warmUps = 2): Promise<CompileMeasurement> => {
  const { site, posts, files } = digestInput();
  const compile = () => compileDigestMail({ files, site, content: makeDigest(posts), now: DIGEST_NOW });
  let compiled = await compile();
  for (let i = 1; i < warmUps; i++) compiled = await compile();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    compiled = await compile();
    times.push(performance.now() - started);
  }
  return { ms: median(times), compiled };
};

export interface PersonalizeMeasurement {
  msgsPerSecond: number;
  /** Mean size of one raw MIME message, in bytes. */
  meanBytes: number;
}

/**
 * What the sender does per recipient besides I/O, for `count` distinct recipients on one thread: sign the
 * recipient's unsubscribe token, substitute it and the name into the compiled digest, compose the MIME message
 * (buildDigestMessage). This bounds how many messages one sender instance can produce per second of CPU.
 */
export const measurePersonalize = async (
  compiled: CompiledDigest,
  count = 100_000,
): Promise<PersonalizeMeasurement> => {
  const { site } = digestInput();
  const tokenKey = new TextEncoder().encode(TOKEN_KEY);
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const key = `reader${i}@example${i % 97}.org`;
    const unsubscribeUrl = apiUrl(site, 'unsubscribe', signToken(tokenKey, { purpose: 'unsubscribe', key }));
    const message = await buildDigestMessage({
      site,
      compiled,
      to: { address: key, name: `Reader Number ${i}` },
      unsubscribeUrl,
      now: DIGEST_NOW,
    });
    bytes += message.raw.byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  return { msgsPerSecond: count / seconds, meanBytes: bytes / count };
};

export interface SendRateMeasurement {
  /** Achieved / configured rate; see measureSendRate for the definition. */
  ratio: number;
  accepted: number;
  /** Sends the stand-in refused as over the rate (each retried by the sender after a back-off). */
  throttled: number;
  /** Recipients accepted more than once (must be 0). */
  duplicates: number;
  /** Seconds from the first acceptance to the last. */
  seconds: number;
  /** Batch deliveries handed back for later (throttled too often): SQS would redeliver them much later. */
  handedBack: number;
  /** The digest record at the end. */
  digest: { status: string; sent: number; failed: number; skipped: number; uncertain: number };
  /** Deliveries whose final state is not `sent` (must be 0). */
  notSent: number;
}

const SEND_RATE = 50;
const SEND_SECONDS = 20;

/**
 * The real sender against an SES stand-in that enforces `SEND_RATE` messages/s: 1,000 confirmed subscribers
 * (50/s for 20 s) in the DynamoDB stand-in (another process), a digest of 10 posts planned by the real planner
 * (real MJML compile, real shards and batches), then every queued batch delivered once to sendRecipientBatch in
 * queue order, one at a time (concurrency 1, as one Lambda instance polling the queue), with the real clock, sleep,
 * pacing and back-off, and buildDigestMessage composing each message as the Lambda does.
 *
 * Ratio = (N - 1) / (SEND_RATE x (t_last - t_first)), N the accepted messages, t the stand-in's acceptance times:
 * - From the first acceptance to the last, because that is the steady state a large list lives in; planning and
 *   the first recipient's reads happen once per digest whatever its size. Everything that recurs per batch (the
 *   quota read, the batch's tally, a fresh pacer, back-offs after throttling) falls inside and counts.
 * - N - 1, not N: N messages at exactly SEND_RATE span N - 1 intervals of 1/SEND_RATE, so a perfect sender scores
 *   1.0 (N / ... would score 1 + 1/N and reward nothing).
 * - Against the configured rate (the account's), not the sender's own target: the pacer aims below it on purpose
 *   (RATE_HEADROOM), and what that headroom costs is part of the figure: about 0.97 at best (a little more is
 *   possible, as each batch starts a fresh pacer whose first slot is immediate). 1.0 is the most any sender can
 *   reach here, since the stand-in accepts no more than SEND_RATE in any one second.
 */
export const measureSendRate = async (): Promise<SendRateMeasurement> => {
  const recipients = SEND_RATE * SEND_SECONDS;
  const { site, posts, files } = digestInput();
  const standIns = await startStandInProcess();
  try {
    const { client, tableName } = standIns;
    const subscribers = createDynamoSubscriberStore({ tableName, client });
    const table = openStateTable({ tableName, client });
    const mailQueue = createDynamoMailQueue(table);
    const ledger = createDynamoDigestLedger(table);
    const deliveries = createDynamoDeliveries(table, { shards: subscribers.shards });
    const sources = createDynamoSourceIndex(table);
    await seedDigest({ site, posts, recipients, subscribers, mailQueue, sources });

    const queue: RecipientBatch[] = [];
    const warnings: string[] = [];
    const log: Logger = {
      info: () => {},
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    };
    const pause = createDynamoSendingPause({ tableName: standIns.tableName, client: standIns.client });
    const [plan] = await planDigests(
      {
        pause,
        mailQueue,
        ledger,
        sources,
        subscribers,
        queue: { send: async (batches) => void queue.push(...batches) },
        site,
        compile: (content) => compileDigestMail({ files, site, content, now: DIGEST_NOW }),
        now: () => new Date(),
        log,
      },
      { scheduledTime: DIGEST_NOW.toISOString() },
    );
    if (plan?.status !== 'sending' || plan.recipients !== recipients) {
      throw new Error(`planned ${JSON.stringify(plan)}, not ${recipients} recipients sending`);
    }

    const ses = createSesStandIn({ ratePerSecond: SEND_RATE });
    const quota: SendQuota = { maxSendRate: SEND_RATE, max24HourSend: -1, sentLast24Hours: 0 };
    const tokenKey = new TextEncoder().encode(TOKEN_KEY);
    const deps = (owner: string): SenderDeps => ({
      ledger,
      deliveries,
      subscribers,
      mailer: ses,
      quota: async () => quota,
      // The switch as deployed: read from the table before each batch.
      pause,
      concurrency: 1,
      site,
      tokenKey,
      compose: (compiled, to, unsubscribeUrl, now) => buildDigestMessage({ site, compiled, to, unsubscribeUrl, now }),
      owner,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      log,
    });
    // As SQS with one consumer: each batch once, in order. A batch handed back (recipients throttled too often)
    // goes to the end; its claims are leased to the run that gave up, so it waits for the lease to run out.
    let handedBack = 0;
    const giveUpAt = performance.now() + 10 * 60 * 1000;
    for (let delivery = 1; queue.length > 0; delivery++) {
      if (performance.now() > giveUpAt) throw new Error(`${queue.length} batches still unsent after 10 minutes`);
      const batch = queue.shift() as RecipientBatch;
      const result = await sendRecipientBatch(deps(`bench-sender:${delivery}`), batch);
      if (result.retryLater.length > 0) {
        handedBack++;
        queue.push(batch);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }

    const states = new Map<string, string>();
    for await (const page of deliveries.listDeliveries(plan.id)) {
      for (const delivery of page) states.set(delivery.key, delivery.state);
    }
    const record = await ledger.getDigest(plan.id);
    const accepted = ses.accepted;
    const first = accepted[0]?.at ?? 0;
    const last = accepted.at(-1)?.at ?? 0;
    const seconds = (last - first) / 1000;
    if (warnings.length > 0) console.error(`sender warnings: ${warnings.slice(0, 5).join('; ')}`);
    return {
      ratio: (accepted.length - 1) / (SEND_RATE * seconds),
      accepted: accepted.length,
      throttled: ses.throttled(),
      duplicates: accepted.length - new Set(accepted.map((message) => message.to)).size,
      seconds,
      handedBack,
      digest: {
        status: record?.status ?? 'missing',
        sent: record?.sent ?? 0,
        failed: record?.failed ?? 0,
        skipped: record?.skipped ?? 0,
        uncertain: record?.uncertain ?? 0,
      },
      notSent: recipients - [...states.values()].filter((state) => state === 'sent').length,
    };
  } finally {
    await standIns.close();
  }
};

/** Ten published posts queued for the digest and `recipients` confirmed subscribers, as the publisher and the
 * subscription API would have left them. */
const seedDigest = async (input: {
  site: SiteConfig;
  posts: ReturnType<typeof digestInput>['posts'];
  recipients: number;
  subscribers: ReturnType<typeof createDynamoSubscriberStore>;
  mailQueue: Pick<MailQueue, 'queuePost'>;
  sources: SourceIndex;
}): Promise<void> => {
  for (const [i, post] of input.posts.entries()) {
    const slug = `post-${i + 1}`;
    await input.sources.putSource({
      sourcePath: post.sourcePath,
      version: 1,
      status: 'published',
      post: {
        id: post.feedId,
        sourcePath: post.sourcePath,
        slug,
        url: post.url,
        title: post.title,
        date: post.date,
        summary: post.summary,
        html: post.html,
        ...(post.image ? { image: post.image } : {}),
        tags: [],
        categories: [],
        authors: post.authors,
      },
      claims: [],
      problems: [],
    });
    await input.mailQueue.queuePost({
      feedId: post.feedId,
      sourcePath: post.sourcePath,
      queuedAt: new Date(DIGEST_NOW.getTime() - (10 - i) * 60_000).toISOString(),
    });
  }
  const keys = Array.from({ length: input.recipients }, (_, i) => `reader${i}@example.org`);
  // Ten writes in flight at a time: quick to seed, gentle on the one dynalite process.
  for (let i = 0; i < keys.length; i += 10) {
    await Promise.all(
      keys.slice(i, i + 10).map((key, j) =>
        input.subscribers.save({
          key,
          address: key,
          name: `Reader ${i + j}`,
          status: 'confirmed',
          subscribedAt: '2026-01-01T00:00:00.000Z',
          subscribedVia: 'form',
          confirmedAt: '2026-01-01T00:05:00.000Z',
          confirmedVia: 'link',
          version: 1,
        }),
      ),
    );
  }
};

/** As cdk/constructs/node-function.ts gives it to esbuild: `require` for bundled CommonJS inside an ES module. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);";

/**
 * Bundles a handler as NodejsFunction does with cdk/constructs/node-function.ts's options: ESM for Node 24 (the
 * functions' runtime, NODEJS_24_X -> `node24`), minified, with a source map, only `typescript` external, cheerio
 * aliased to cheerio/slim. Returns the path of index.mjs and its size in bytes (the source map not counted).
 */
const bundleHandler = async (entry: string, outDir: string): Promise<{ file: string; bytes: number }> => {
  const file = join(outDir, 'index.mjs');
  const root = join(import.meta.dirname, '..');
  await build({
    // Aliases resolve from the working directory: the repository root, as for `cdk synth`.
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    bundle: true,
    outfile: file,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    external: ['typescript'],
    alias: { cheerio: 'cheerio/slim' },
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'error',
  });
  return { file, bytes: (await stat(file)).size };
};

/**
 * A stand-in for Secrets Manager's GetSecretValue (JSON protocol), enough for readSecretKey at import time.
 * Counts the requests, so the measurement can check the handler really asked.
 */
const startSecretsManager = async (secret: string) => {
  let requests = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'UnknownOperationException' }));
        return;
      }
      requests++;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'feedmail-token-key', SecretString: secret }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:feedmail-token-key-AbCdEf';

/** Run in a fresh `node`: the wall time of importing the bundle, module evaluation and top-level await included. */
const COLD_IMPORT_SCRIPT = `
const started = performance.now();
const module = await import(process.env.BENCH_BUNDLE_URL);
const ms = performance.now() - started;
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');
console.log(JSON.stringify({ ms }));
`;

const coldImport = async (file: string, env: Record<string, string>): Promise<number> => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', COLD_IMPORT_SCRIPT], {
    env: { ...env, BENCH_BUNDLE_URL: pathToFileURL(file).href },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`cold import failed (exit ${code}): ${stderr}`);
  return (JSON.parse(line) as { ms: number }).ms;
};

export interface BundleMeasurement {
  senderBytes: number;
  plannerBytes: number;
  /** Median of fresh processes: `await import()` of the sender bundle, as deployed (with --enable-source-maps). */
  senderColdImportMs: number;
  /** The same without --enable-source-maps, which makes Node read and parse the bundle's source map at import. */
  senderColdImportMsNoSourceMaps: number;
}

/**
 * The sender function as deployed: its bundle size (it must stay free of MJML: the planner's bundle, which has
 * it, is measured beside it) and its cold start, i.e. `await import(bundle)` in a fresh `node` with the
 * environment the stack sets. The import reads the environment, builds the SDK clients and fetches the token key
 * from Secrets Manager (a local stand-in here, so the network is a loopback round trip). The functions run with
 * NODE_OPTIONS=--enable-source-maps (node-function.ts), so the processes do too; the same import without it is
 * measured as well (runs alternate, as this machine's timings drift). Node here is 20; Lambda runs 24.
 */
export const measureSenderBundle = async (outDir: string, runs = 5): Promise<BundleMeasurement> => {
  const sender = await bundleHandler('functions/handlers/send-digest.ts', join(outDir, 'sender'));
  const planner = await bundleHandler('functions/handlers/plan-digest.ts', join(outDir, 'planner'));
  const secrets = await startSecretsManager(TOKEN_KEY);
  try {
    const site = makeDigestSite();
    const env = {
      PATH: process.env.PATH ?? '',
      STATE_TABLE_NAME: 'feedmail-state',
      SITE_CONFIG: JSON.stringify({
        title: site.title,
        baseUrl: site.baseUrl,
        timeZone: site.timeZone,
        mail: site.mail,
      }),
      TOKEN_SECRET_ARN: SECRET_ARN,
      SES_CONFIGURATION_SET: 'feedmail',
      SENDER_CONCURRENCY: '2',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHBENCHBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const deployed: number[] = [];
    const noSourceMaps: number[] = [];
    for (let i = 0; i < runs; i++) {
      deployed.push(await coldImport(sender.file, { ...env, NODE_OPTIONS: '--enable-source-maps' }));
      noSourceMaps.push(await coldImport(sender.file, env));
    }
    if (secrets.requests() !== 2 * runs) {
      throw new Error(`expected ${2 * runs} GetSecretValue calls, got ${secrets.requests()}`);
    }
    return {
      senderBytes: sender.bytes,
      plannerBytes: planner.bytes,
      senderColdImportMs: median(deployed),
      senderColdImportMsNoSourceMaps: median(noSourceMaps),
    };
  } finally {
    await secrets.close();
  }
};
