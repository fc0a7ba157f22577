import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseInWorkers } from './adapters/parse-in-workers.ts';
import { loadSiteTemplates } from './adapters/site-templates.ts';
import { DIGEST_USAGE, DigestUsageError, runDigestCommand } from './cli/digest-command.ts';
import { DOCTOR_USAGE, DoctorUsageError, runDoctorCommand } from './cli/doctor-command.ts';
import { MIGRATE_CHECK_USAGE, MigrateCheckUsageError, runMigrateCheckCommand } from './cli/migrate-check-command.ts';
import { IO_CONCURRENCY, insideFolder, loadSite, mapLimit, readFolder } from './cli/posts-folder.ts';
import { runSubscribersCommand, SUBSCRIBERS_USAGE, SubscribersUsageError } from './cli/subscribers-command.ts';
import { runTokensCommand, TOKENS_USAGE, TokensUsageError } from './cli/tokens-command.ts';
import { ConfigError, describeError } from './core/errors.ts';
import { addressOfName } from './core/paths.ts';
import { type BatchResult, decideBatch } from './core/posts/build-batch.ts';
import { formatProblem, hasErrors } from './core/problems.ts';
import { buildSiteFiles, redirectsOf } from './core/site/public-files.ts';
import { redirectProblems } from './core/site/redirects.ts';
import type { PublishedPost, SiteConfig } from './core/types.ts';

/**
 * The author's command line: `npm run cli -- <command>`.
 * Exit status: 0 all good, 1 some post was rejected (the rest is still written), 2 usage or configuration error.
 */
const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  build [dir] --out <dir> [--base-url <url>]   Write feeds (feed.xml, atom.xml, feed.json) and archive pages
                                               for the posts in dir (default content/posts). No AWS involved.
  lint [dir]                                   Check the posts in dir without writing anything.
  digest <command>                             Preview a digest, see who would get it, send it locally, status
                                               (\`npm run cli -- digest --help\` for details).
  subscribers <command>                        Import, export, list, count or remove subscribers
                                               (\`npm run cli -- subscribers --help\` for details).
  tokens rotate|status --secret <arn>          Rotate the key that seals confirmation and unsubscribe links,
                                               or show its ring (\`npm run cli -- tokens --help\` for details).
  doctor [--region <r>] [--offline]            Check the deployed stack's SES account, identity, DNS and site
                                               (\`npm run cli -- doctor --help\` for details).
  migrate-check <old-feed> <new-dir>           Check that a moved blog's build keeps every old feed id and
                                               address (\`npm run cli -- migrate-check --help\` for details).

Options:
  --config <file>   Site settings (default site.config.json in the current folder)
  --base-url <url>  Public address of the site, overriding baseUrl from the settings
  --now <iso>       Decide drafts and schedules as of this instant (default: now)
  -h, --help        Show this help`;

class UsageError extends Error {}

// Deployed functions run on Node.js 24; the SDK's notice about this machine's Node 20 is noise for an operator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** A terminal to draw progress on, if there is one. */
  progress?: (text: string) => void;
}

export const runCli = async (argv: string[], io: Io, cwd = process.cwd()): Promise<number> => {
  if (argv[0] === 'digest') {
    try {
      return await runDigestCommand(argv.slice(1), io, cwd);
    } catch (error) {
      if (!(error instanceof DigestUsageError)) throw error;
      io.err(`${error.message}\n\n${DIGEST_USAGE}`);
      return 2;
    }
  }
  if (argv[0] === 'subscribers') {
    try {
      return await runSubscribersCommand(argv.slice(1), io, cwd);
    } catch (error) {
      if (!(error instanceof SubscribersUsageError)) throw error;
      io.err(`${error.message}\n\n${SUBSCRIBERS_USAGE}`);
      return 2;
    }
  }
  if (argv[0] === 'tokens') {
    try {
      return await runTokensCommand(argv.slice(1), io);
    } catch (error) {
      if (!(error instanceof TokensUsageError)) throw error;
      io.err(`${error.message}\n\n${TOKENS_USAGE}`);
      return 2;
    }
  }
  if (argv[0] === 'doctor') {
    try {
      return await runDoctorCommand(argv.slice(1), io, cwd);
    } catch (error) {
      if (!(error instanceof DoctorUsageError)) throw error;
      io.err(`${error.message}\n\n${DOCTOR_USAGE}`);
      return 2;
    }
  }
  if (argv[0] === 'migrate-check') {
    try {
      return await runMigrateCheckCommand(argv.slice(1), io, cwd);
    } catch (error) {
      if (!(error instanceof MigrateCheckUsageError)) throw error;
      io.err(`${error.message}\n\n${MIGRATE_CHECK_USAGE}`);
      return 2;
    }
  }
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv);
  } catch (error) {
    io.err(`${describeError(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, dirArg, ...extra] = positionals;
  if (values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    if (command !== 'build' && command !== 'lint')
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
    if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    if (command === 'build' && !values.out)
      throw new UsageError('build needs --out <dir>, the folder to write the site into');
    if (command === 'lint' && values.out) throw new UsageError('lint writes nothing; --out is only for build');
    const now = values.now ? new Date(values.now) : new Date();
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now "${values.now}" is not an ISO 8601 instant`);
    const site = await loadSite(resolve(cwd, values.config ?? 'site.config.json'), values['base-url']);
    const dir = resolve(cwd, dirArg ?? 'content/posts');
    const outDir = resolve(cwd, values.out ?? '');
    if (command === 'build' && overlaps(outDir, dir)) {
      throw new UsageError(
        `--out ${values.out} overlaps the posts folder ${relative(cwd, dir) || '.'}; write the site elsewhere`,
      );
    }
    const { posts, assets, content, problems, notPosts } = await readFolder(dir);
    const decided = decideBatch(await parseInWorkers(posts, site, content), site, now);
    const result = { ...decided, problems: [...decided.problems, ...siteRedirectProblems(decided.published, site)] };
    for (const problem of [...problems, ...result.problems])
      io.err(formatProblem({ ...problem, file: relative(cwd, join(dir, problem.file)) }));
    if (notPosts.length > 0) io.err(describeNotPosts(notPosts, (path) => relative(cwd, join(dir, path))));
    if (command === 'build') {
      const written = await writeSite(outDir, dir, result, assets, site, now);
      io.out(`${summarise(result)}; wrote ${written} files to ${relative(cwd, outDir) || '.'}`);
    } else {
      io.out(summarise(result));
    }
    return hasErrors(result.problems) ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
};

/** Loops, chains, clashes and shadowed pages among the old addresses the posts redirect from. */
const siteRedirectProblems = (published: readonly PublishedPost[], site: SiteConfig) =>
  redirectProblems(
    published.flatMap((post) => redirectsOf(post).map((from) => ({ from, to: post.url, file: post.sourcePath }))),
    new Set(published.map((post) => addressOfName(post.slug))),
    site,
  );

/** Whether one folder is the other or inside it: the build replaces parts of --out, so it must not hold the posts. */
const overlaps = (a: string, b: string): boolean => {
  const inside = (child: string, parent: string) =>
    child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  return inside(a, b) || inside(b, a);
};

const parseCliArgs = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      'base-url': { type: 'string' },
      config: { type: 'string' },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

const writeSite = async (
  outDir: string,
  postsDir: string,
  result: BatchResult,
  assets: string[],
  site: SiteConfig,
  now: Date,
): Promise<number> => {
  // Only what this build owns is replaced; anything else in the folder stays. Pages at kept addresses and alias
  // files can be anywhere, so the files the last build wrote (its manifest) and this one does not are removed.
  for (const owned of ['posts', 'archive']) await rm(join(outDir, owned), { recursive: true, force: true });
  const templatesDir = fileURLToPath(new URL('../templates/site', import.meta.url));
  const built = [...buildSiteFiles(result.published, site, now), ...(await loadSiteTemplates(templatesDir))];
  // Addresses were checked when the posts were parsed; a path that still leaves the folder is never written.
  const files = built.filter((file) => insideFolder(outDir, file.path));
  const written = new Set([...files.map((file) => file.path), ...assets.map((asset) => `posts/${asset}`)]);
  for (const stale of (await readManifest(outDir)).filter((path) => !written.has(path) && insideFolder(outDir, path)))
    await rm(join(outDir, stale), { force: true });
  const folders = new Set([
    ...files.map((file) => dirname(join(outDir, file.path))),
    ...assets.map((a) => dirname(join(outDir, 'posts', a))),
  ]);
  // Parents first (the shared ones once), then the leaves in parallel.
  const parents = new Set([...folders].map((folder) => dirname(folder)));
  for (const parent of [...parents].sort()) await mkdir(parent, { recursive: true });
  await mapLimit([...folders], IO_CONCURRENCY, (folder) => mkdir(folder, { recursive: true }));
  await mapLimit(files, IO_CONCURRENCY, (file) => writeFile(join(outDir, file.path), file.body));
  await mapLimit(assets, IO_CONCURRENCY, (asset) => copyFile(join(postsDir, asset), join(outDir, 'posts', asset)));
  await writeFile(join(outDir, BUILD_MANIFEST), `${JSON.stringify([...written].sort(), null, 1)}\n`);
  return files.length + assets.length;
};

/** The files the last `build` wrote into a folder, relative to it (so the next build can remove what it drops). */
const BUILD_MANIFEST = '.feedmail-build.json';

const readManifest = async (outDir: string): Promise<string[]> => {
  try {
    const listed: unknown = JSON.parse(await readFile(join(outDir, BUILD_MANIFEST), 'utf8'));
    return Array.isArray(listed) ? listed.filter((path): path is string => typeof path === 'string') : [];
  } catch {
    return [];
  }
};

/** One info line for the Markdown files that are not posts, naming a few: they are skipped, as the generators skip them. */
const describeNotPosts = (notPosts: { path: string; reason: string }[], show: (path: string) => string): string => {
  const named = notPosts.slice(0, 3).map(({ path, reason }) => `${show(path)} (${reason})`);
  const more = notPosts.length > named.length ? `, and ${notPosts.length - named.length} more` : '';
  const count = notPosts.length === 1 ? '1 file that is not a post' : `${notPosts.length} files that are not posts`;
  return `info: skipped ${count}: ${named.join('; ')}${more}.`;
};

const summarise = (result: BatchResult): string => {
  const counts = new Map<string, number>();
  for (const outcome of result.outcomes) counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
  const parts = [...counts.entries()].map(([status, count]) => `${count} ${status}`);
  return `${result.outcomes.length} posts: ${parts.join(', ') || 'none'}`;
};

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(text) } : {}),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${describeError(error, { stack: true })}\n`);
      process.exitCode = 2;
    },
  );
}
