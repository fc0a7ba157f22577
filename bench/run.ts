import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSiteConfig } from '../functions/core/site-config.ts';
import { writeCorpus } from './corpus.ts';
import { measureDigestCompile, measurePersonalize, measureSenderBundle, measureSendRate } from './digest.ts';
import { measureStressedDigest } from './digest-scale.ts';
import { timeHugoBuild } from './hugo.ts';
import { measureIncrementalPublish } from './publish.ts';
import { measureSubscribers } from './subscribers.ts';

/**
 * `npm run bench`: full builds of synthetic corpora (ours and Hugo's on the same posts), the cost of one
 * incremental publish into a store holding 10 and 10,000 posts, a 100,000-subscriber import and listing, and the
 * digest: compiling it, personalising it for 100,000 recipients, sending at the SES rate through the real sender,
 * and the sender function's bundle and cold start (bench/digest.ts), and a 10,000-subscriber digest sent through
 * duplicate deliveries and throttling (bench/digest-scale.ts). Prints a table, then one JSON line.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const siteInput = {
  title: 'Bench',
  baseUrl: 'https://bench.example/',
  feedSize: 20,
  pageSize: 20,
  timeZone: 'UTC',
};

const ROUNDS = 3;

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const fullBuild = (dir: string, out: string, config: string): { ms: number; maxRssMb: number } => {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'full-build.ts'), dir, out, config],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`full build failed: ${child.stderr}`);
  const result = JSON.parse(line) as { code: number; ms: number; maxRssMb: number };
  if (result.code !== 0) throw new Error(`full build rejected posts (exit ${result.code})`);
  return result;
};

const main = async (): Promise<void> => {
  const work = await mkdtemp(join(tmpdir(), 'feedmail-bench-'));
  try {
    const config = join(work, 'site.config.json');
    await writeFile(config, JSON.stringify(siteInput));
    const site = parseSiteConfig(siteInput);

    await writeCorpus(join(work, 'corpus-1000'), 1000);
    await writeCorpus(join(work, 'corpus-10000'), 10_000);
    const build1000 = fullBuild(join(work, 'corpus-1000'), join(work, 'out-1000'), config);
    // This machine's timings drift by 2x from minute to minute: alternate the two builds and keep the medians.
    const ours: { ms: number; maxRssMb: number }[] = [];
    const hugo: (number | null)[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(fullBuild(join(work, 'corpus-10000'), join(work, `out-10000-${round}`), config));
      hugo.push(await timeHugoBuild(join(work, 'corpus-10000'), join(work, `hugo-${round}`)));
    }
    const build10000 = { ms: median(ours.map((r) => r.ms)), maxRssMb: Math.max(...ours.map((r) => r.maxRssMb)) };
    const hugo10000 = hugo.includes(null) ? null : median(hugo as number[]);

    const at10 = await measureIncrementalPublish(site, 10);
    const at10000 = await measureIncrementalPublish(site, 10_000);
    const subscribers = await measureSubscribers(100_000);

    const compile = await measureDigestCompile();
    const personalize = await measurePersonalize(compile.compiled, 100_000);
    const sending = await measureSendRate();
    const bundles = await measureSenderBundle(join(work, 'bundles'));
    const stressed = await measureStressedDigest(10_000);
    const stressProblems = [
      stressed.duplicates > 0 && `${stressed.duplicates} recipients mailed twice`,
      stressed.notMailed > 0 && `${stressed.notMailed} recipients not mailed`,
      stressed.strangers > 0 && `${stressed.strangers} addresses mailed that are not confirmed`,
      (stressed.digest.status !== 'sent' || stressed.digest.sent !== stressed.recipients) &&
        `digest record ${stressed.digest.status} with sent = ${stressed.digest.sent}`,
    ].filter(Boolean);
    if (stressProblems.length > 0) throw new Error(`digest at scale went wrong: ${stressProblems.join(', ')}`);
    const sendingProblems = [
      sending.duplicates > 0 && `${sending.duplicates} recipients mailed twice`,
      sending.notSent > 0 && `${sending.notSent} deliveries not sent`,
      (sending.digest.status !== 'sent' || sending.digest.sent !== sending.accepted) &&
        `digest record ${sending.digest.status} with sent = ${sending.digest.sent}`,
    ].filter(Boolean);
    if (sendingProblems.length > 0) throw new Error(`digest sending went wrong: ${sendingProblems.join(', ')}`);

    const figures = {
      full_build_ms_1000: Math.round(build1000.ms),
      full_build_ms_10000: Math.round(build10000.ms),
      peak_rss_mb_10000: Math.round(build10000.maxRssMb),
      hugo_build_ms_10000: hugo10000 === null ? null : Math.round(hugo10000),
      publish_ms_at_10: Math.round(at10.ms),
      publish_ms_at_10000: Math.round(at10000.ms),
      publish_requests_at_10: at10.requests,
      publish_requests_at_10000: at10000.requests,
      import_rows_per_s_100000: Math.round(subscribers.importRowsPerSecond),
      list_confirmed_ms_100000: Math.round(subscribers.listConfirmedMs),
      digest_compile_ms: Math.round(compile.ms),
      personalize_msgs_per_s: Math.round(personalize.msgsPerSecond),
      send_rate_ratio: Math.round(sending.ratio * 1000) / 1000,
      send_throttled: sending.throttled,
      sender_bundle_kb: Math.round(bundles.senderBytes / 1024),
      planner_bundle_kb: Math.round(bundles.plannerBytes / 1024),
      sender_cold_import_ms: Math.round(bundles.senderColdImportMs),
      sender_cold_import_ms_no_source_maps: Math.round(bundles.senderColdImportMsNoSourceMaps),
      stressed_digest_ms_10000: Math.round(stressed.ms),
      stressed_digest_mailer_calls_10000: stressed.mailerCalls,
    };
    const rows: [string, string][] = [
      ['full build, 1,000 posts', `${figures.full_build_ms_1000} ms`],
      [
        'full build, 10,000 posts (median of 3)',
        `${figures.full_build_ms_10000} ms (peak RSS ${figures.peak_rss_mb_10000} MB)`,
      ],
      [
        'hugo build, 10,000 posts (median of 3)',
        figures.hugo_build_ms_10000 === null ? 'hugo not installed' : `${figures.hugo_build_ms_10000} ms`,
      ],
      [
        'incremental publish, 10 posts stored',
        `${figures.publish_ms_at_10} ms, ${at10.s3Requests} S3 + ${at10.dynamoRequests} DynamoDB requests`,
      ],
      [
        'incremental publish, 10,000 posts stored',
        `${figures.publish_ms_at_10000} ms, ${at10000.s3Requests} S3 + ${at10000.dynamoRequests} DynamoDB requests`,
      ],
      ['subscriber import, 100,000 rows (CSV to table)', `${figures.import_rows_per_s_100000} rows/s`],
      [
        'list confirmed subscribers of 100,000',
        `${figures.list_confirmed_ms_100000} ms (${subscribers.confirmed} confirmed)`,
      ],
      [
        'digest compile, 10 posts (warm, median of 10)',
        `${figures.digest_compile_ms} ms (${compile.compiled.mode}, ${Math.round(compile.compiled.htmlBytes / 1024)} KB of HTML)`,
      ],
      [
        'digest personalised for 100,000 recipients',
        `${figures.personalize_msgs_per_s} msgs/s on one core (${Math.round(personalize.meanBytes / 1024)} KB each)`,
      ],
      [
        'digest sent at 50 msgs/s (SES stand-in, 1,000)',
        `${figures.send_rate_ratio} of the rate over ${sending.seconds.toFixed(1)} s, ${sending.throttled} throttled, ` +
          `${sending.duplicates} duplicates, ${sending.handedBack} batches handed back, ` +
          `record ${sending.digest.status} with sent = ${sending.digest.sent}`,
      ],
      [
        'digest bundles (minified, no source map)',
        `sender ${figures.sender_bundle_kb} KB, planner (with MJML) ${figures.planner_bundle_kb} KB`,
      ],
      [
        'digest to 10,000, two senders, duplicates, 1 in 10 throttled',
        `${figures.stressed_digest_ms_10000} ms to plan and send, ${stressed.batches} batches, ` +
          `${stressed.mailerCalls} SES calls (${stressed.throttled} throttled), each recipient mailed once`,
      ],
      [
        'sender cold import (median of 5)',
        `${figures.sender_cold_import_ms} ms with --enable-source-maps, ${figures.sender_cold_import_ms_no_source_maps} ms without`,
      ],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log('Benchmark (in-process S3 and DynamoDB stand-ins; times are wall clock on this machine)');
    for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
    console.log(JSON.stringify(figures));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

await main();
