/**
 * `npm run cli -- digest <command>`: preview a digest from a folder of posts (no AWS), see who would get what,
 * send one on the local run, and read how sent digests went.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDynamoDigestLedger } from '../adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createDynamoSourceIndex } from '../adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { parseInWorkers } from '../adapters/parse-in-workers.ts';
import { silentLogger } from '../app/logger.ts';
import type { DigestRecord } from '../app/ports.ts';
import { toDigestPost } from '../core/digest/digest-content.ts';
import { compileDigestMail } from '../core/mail/digest-mail.ts';
import { buildDigestMessage } from '../core/mail/digest-message.ts';
import { personalizeMail } from '../core/mail/personalize.ts';
import { decideBatch } from '../core/posts/build-batch.ts';
import { formatProblem } from '../core/problems.ts';
import { unsubscribeUrl } from '../core/subscribers/links.ts';
import type { SiteConfig } from '../core/types.ts';
import { createLocalDigests } from '../local/local-digests.ts';
import { readLocalRun } from '../local/local-run-file.ts';
import { createOutboxMailer } from '../local/outbox.ts';
import { connectToStandIns, type LocalStandIns } from '../local/stand-ins.ts';
import { parseCommandLine } from './parse-command.ts';
import { loadSite, readFolder } from './posts-folder.ts';
import { NO_TABLE, openTable } from './table-connection.ts';

export const DIGEST_USAGE = `Usage: npm run cli -- digest <command> [options]

Commands:
  preview [dir] --out <dir>   Write digest.html, digest.txt and digest.eml: the digest of the newest posts in dir
                              (default content/posts) as one sample reader would get it. No AWS involved.
  send --dry-run              Show which posts the next digest would carry and who would get it.
  send                        Send that digest now, on the local run (into .local/outbox).
  status [id]                 The latest digests (or one): posts, recipients, sent, failed, skipped, uncertain,
                              and whether sending is paused (SES reputation alarms pause it).
  resume                      Let digests go out again after a reputation pause, once its cause is dealt with.

Options:
  --config <file>             Site settings (default site.config.json)
  --table <name> [--region]   Read a deployed stack's table (send --dry-run, status) instead of the local run.`;

export class DigestUsageError extends Error {}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const OPTIONS = {
  out: { type: 'string' },
  config: { type: 'string' },
  'dry-run': { type: 'boolean' },
  table: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const runDigestCommand = async (argv: string[], io: Io, cwd: string): Promise<number> => {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, (message) => new DigestUsageError(message));
  const [command, argument, ...extra] = positionals;
  if (values.help || command === undefined) {
    io.out(DIGEST_USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) throw new DigestUsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const site = await loadSite(resolve(cwd, values.config ?? 'site.config.json'), undefined);
  if (!site.mail) throw new DigestUsageError('site.config.json has no "mail" section: digests need a sender');
  switch (command) {
    case 'preview':
      if (!values.out) throw new DigestUsageError('preview needs --out <dir>, the folder to write the files into');
      return preview(site, resolve(cwd, argument ?? 'content/posts'), resolve(cwd, values.out), io, cwd);
    case 'send':
      if (argument !== undefined) throw new DigestUsageError(`unexpected argument: ${argument}`);
      return values['dry-run'] ? dryRun(site, await connect(values, cwd), io) : sendLocally(site, cwd, io);
    case 'status':
      return status(await connect(values, cwd), argument, io);
    case 'resume':
      if (argument !== undefined) throw new DigestUsageError(`unexpected argument: ${argument}`);
      return resume(await connect(values, cwd), io);
    default:
      throw new DigestUsageError(`unknown digest command "${command}"`);
  }
};

const preview = async (site: SiteConfig, dir: string, outDir: string, io: Io, cwd: string): Promise<number> => {
  const { posts, content } = await readFolder(dir);
  const now = new Date();
  const result = decideBatch(await parseInWorkers(posts, site, content), site, now);
  for (const problem of result.problems)
    io.err(formatProblem({ ...problem, file: relative(cwd, join(dir, problem.file)) }));
  const newest = [...result.published].sort((a, b) => b.date.localeCompare(a.date)).slice(0, site.digest.maxPosts);
  if (newest.length === 0) throw new DigestUsageError(`no publishable posts in ${relative(cwd, dir) || '.'}`);
  const digestPosts = newest.map(toDigestPost);
  const templates = await loadMailTemplates(fileURLToPath(new URL('../../templates/mail', import.meta.url)));
  const compiled = await compileDigestMail({
    files: templates,
    site,
    content: { id: 'preview', posts: digestPosts, more: 0 },
    now,
  });
  // A throwaway key: the preview's unsubscribe link has the right shape but works nowhere.
  const sample = { address: 'reader@example.org', name: 'Sample Reader' };
  const link = unsubscribeUrl({ site, tokenKey: randomBytes(32) }, sample.address);
  const message = await buildDigestMessage({ site, compiled, to: sample, unsubscribeUrl: link, now });
  const { html, text } = personalizeMail(compiled, { unsubscribeUrl: link, recipientName: sample.name });
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'digest.html'), html);
  await writeFile(join(outDir, 'digest.txt'), text);
  await writeFile(join(outDir, 'digest.eml'), message.raw);
  io.out(
    `${digestPosts.length} posts, ${compiled.mode === 'full' ? 'whole posts' : 'excerpts'}, ` +
      `${Math.round(Buffer.byteLength(html) / 1024)} KB of HTML; subject "${compiled.subject}"; ` +
      `wrote digest.html, digest.txt and digest.eml to ${relative(cwd, outDir) || '.'}`,
  );
  return 0;
};

interface Connection {
  standIns: LocalStandIns;
  close(): void;
}

const connect = async (
  values: { table?: string | undefined; region?: string | undefined },
  cwd: string,
): Promise<Connection> => {
  const standIns = await openTable(values, cwd);
  if (!standIns) throw new DigestUsageError(NO_TABLE);
  return { standIns, close: () => standIns.dynamo.destroy() };
};

const stores = ({ standIns }: Connection) => {
  const table = openStateTable({ tableName: standIns.tableName, client: standIns.dynamo });
  return {
    subscribers: createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo }),
    mailQueue: createDynamoMailQueue(table),
    ledger: createDynamoDigestLedger(table),
    sources: createDynamoSourceIndex(table),
  };
};

const dryRun = async (site: SiteConfig, connection: Connection, io: Io): Promise<number> => {
  try {
    const { subscribers, mailQueue, sources } = stores(connection);
    const titles: string[] = [];
    for (const entry of await mailQueue.listQueued('')) {
      const source = await sources.getSource(entry.sourcePath);
      if (source?.status === 'published' && source.post?.id === entry.feedId) titles.push(source.post.title);
    }
    let recipients = 0;
    const sample: string[] = [];
    for await (const page of subscribers.list({ status: 'confirmed' })) {
      recipients += page.length;
      for (const subscriber of page) if (sample.length < 10) sample.push(subscriber.address);
    }
    const { cadence, minPosts } = site.digest;
    io.out(
      `Cadence: ${cadence}${cadence === 'immediate' ? ' (one mail per post)' : ''}; at least ${minPosts} post(s).`,
    );
    if (titles.length === 0) io.out('No new posts: the next digest would not be sent.');
    else if (cadence !== 'immediate' && titles.length < minPosts) {
      io.out(`${titles.length} new post(s), fewer than ${minPosts}: the next digest would wait.`);
    }
    for (const title of titles) io.out(`  post: ${title}`);
    io.out(`${recipients} confirmed subscriber(s) would get it${recipients > sample.length ? ', e.g.:' : ':'}`);
    for (const address of sample) io.out(`  to: ${address}`);
    return 0;
  } finally {
    connection.close();
  }
};

const sendLocally = async (site: SiteConfig, cwd: string, io: Io): Promise<number> => {
  const run = await readLocalRun(cwd);
  if (!run) throw new DigestUsageError('digest send works on the local run: start `npm start` in another terminal');
  const standIns = connectToStandIns(run);
  try {
    const local = createLocalDigests({
      standIns,
      // The running site's address, so links in the mail work against it.
      site: { ...site, baseUrl: run.siteUrl },
      mailer: createOutboxMailer(join(cwd, '.local', 'outbox')),
      tokenKey: Buffer.from(run.tokenKey, 'hex'),
      mailTemplates: await loadMailTemplates(fileURLToPath(new URL('../../templates/mail', import.meta.url))),
      log: silentLogger,
    });
    const started = new Date().toISOString();
    const { plans, deadLetters } = await local.run();
    // An empty slot sent nothing; this minute's digest finished by an earlier send sent nothing now.
    const withPosts = plans.filter((plan) => plan.status !== 'empty');
    for (const plan of withPosts) {
      const record = await local.ledger.getDigest(plan.id);
      if (record?.finishedAt !== undefined && record.finishedAt < started) {
        io.out(`No new posts since digest ${record.id} (finished ${record.finishedAt}): nothing to send.`);
      } else io.out(describePlan(record, plan.status));
    }
    if (withPosts.length === 0) io.out('No new posts: nothing to send.');
    if (deadLetters.length > 0) io.err(`${deadLetters.length} batch(es) could not be sent; see the log.`);
    return deadLetters.length > 0 ? 1 : 0;
  } finally {
    standIns.dynamo.destroy();
  }
};

const describePlan = (record: DigestRecord | undefined, status: string): string =>
  record
    ? `${record.id}: ${record.status}; ${record.feedIds.length} post(s), ${record.recipients} recipient(s), ` +
      `${record.sent} sent, ${record.failed} failed, ${record.skipped} skipped, ${record.uncertain} uncertain`
    : status;

const pauseOf = ({ standIns }: Connection) =>
  createDynamoSendingPause({ tableName: standIns.tableName, client: standIns.dynamo });

const resume = async (connection: Connection, io: Io): Promise<number> => {
  try {
    const pause = pauseOf(connection);
    const state = await pause.get();
    if (!state.paused) {
      io.out('Digest sending is not paused.');
      return 0;
    }
    await pause.resume();
    io.out(`Digest sending resumed (it was paused since ${state.since ?? '?'}: ${state.reason ?? 'no reason given'}).`);
    io.out('Batches held back go out as the queue hands them back (within 30 minutes); a pause longer than a day');
    io.out('has moved them to the dead-letter queue (DigestDeadLetterQueueUrl): redrive it to send them.');
    io.out('If an SES reputation alarm is still in ALARM, it will not pause digests again until it clears and fires');
    io.out('anew: check the rates in the SES console (Reputation metrics) before resuming.');
    return 0;
  } finally {
    connection.close();
  }
};

const status = async (connection: Connection, id: string | undefined, io: Io): Promise<number> => {
  try {
    const { ledger } = stores(connection);
    const pause = await pauseOf(connection).get();
    if (pause.paused) {
      io.out(`Sending is PAUSED since ${pause.since ?? '?'}: ${pause.reason ?? ''}`);
      io.out('  Deal with the cause, then: npm run cli -- digest resume');
    }
    const records = id ? [await ledger.getDigest(id)].filter((r) => r !== undefined) : await ledger.listDigests(10);
    if (records.length === 0) {
      io.out(id ? `No digest ${id}.` : 'No digests yet.');
      return id ? 1 : 0;
    }
    for (const stored of records) {
      // While a digest is sending, its counts are the completed batches' tallies so far.
      const record =
        stored.status === 'sending' ? { ...stored, ...(await ledger.batchTallies(stored.id)).totals } : stored;
      io.out(describePlan(record, record.status));
      io.out(
        `  subject: ${record.subject ?? '-'}; started ${record.startedAt ?? '-'}; finished ${record.finishedAt ?? '-'}`,
      );
    }
    return 0;
  } finally {
    connection.close();
  }
};
