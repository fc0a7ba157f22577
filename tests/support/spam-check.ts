/**
 * A real spam filter for tests: Debian's SpamAssassin, run on a raw message with local tests only (no DNS, no
 * network, no Bayes), so what it scores is the message's own structure and content. It stands in for what receiving
 * servers run before a message ever reaches an inbox.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SPAMASSASSIN_PATH = '/usr/bin/spamassassin';

/** As with the browser tests: skipped only on a developer machine without it; in CI a missing filter fails. */
export const skipSpamTests = !existsSync(SPAMASSASSIN_PATH) && !process.env.CI;

export const SPAM_SKIP_REASON = `spam filter tests skipped: ${SPAMASSASSIN_PATH} not found (apt-get install -y spamassassin); they always run when CI is set`;

/** SpamAssassin's default `required_score`: at or above it a message is spam. */
export const SPAM_THRESHOLD = 5;

/**
 * Rules expected on every message a test builds, whatever its quality:
 * - NO_RECEIVED, NO_RELAYS: the message has not travelled yet; SES and every hop add Received headers.
 * - HTML_MESSAGE: informational (0.001), true of any HTML mail.
 * Rules about SPF, DKIM and DMARC (matched by prefix below) are expected too: nothing is signed or sent from a
 * domain here, and local tests cannot look DNS up. The stack's SES identity covers them in production.
 */
const EXPECTED_RULES = new Set(['NO_RECEIVED', 'NO_RELAYS', 'HTML_MESSAGE']);
const AUTHENTICATION_RULE = /^(?:T_)?(?:SPF|DKIM|DMARC)_/;

export interface SpamRule {
  name: string;
  score: number;
}

export interface SpamReport {
  score: number;
  rules: SpamRule[];
  /** Rules that fired beyond the expected ones (and the test's own `allow`): each one is a finding. */
  unexpected: SpamRule[];
}

const run = (args: string[], input: Uint8Array, home: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(SPAMASSASSIN_PATH, args, { env: { ...process.env, HOME: home }, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`spamassassin exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
    child.stdin.end(input);
  });

/** The value of one header of the checked message, unfolded. */
const header = (message: string, name: string): string => {
  const head = message.slice(0, message.search(/\r?\n\r?\n/));
  const match = new RegExp(`^${name}:([^\\n]*(?:\\r?\\n[ \\t][^\\n]*)*)`, 'mi').exec(head);
  return (match?.[1] ?? '').replace(/\r?\n[ \t]+/g, ' ').trim();
};

/**
 * Scores a raw message with SpamAssassin (about 2 s). `allow` names rules a test accepts knowingly, each with a
 * reason at the call site.
 * @example const report = await checkSpam(message.raw); expect(report.unexpected).toEqual([]);
 */
export const checkSpam = async (raw: Uint8Array, allow: readonly string[] = []): Promise<SpamReport> => {
  // A home of its own: SpamAssassin creates ~/.spamassassin on first use.
  const home = await mkdtemp(join(tmpdir(), 'feedmail-spamassassin-'));
  try {
    const checked = await run(
      [
        '--local', // no network tests (DNS blocklists, Razor, Pyzor)
        '--nocreate-prefs',
        '--cf=use_bayes 0', // an empty Bayes database says nothing, and autolearning would write one
        '--cf=add_header all Rules _TESTSSCORES(,)_',
      ],
      raw,
      home,
    );
    const score = Number(/score=(-?[\d.]+)/.exec(header(checked, 'X-Spam-Status'))?.[1]);
    const rules = header(checked, 'X-Spam-Rules')
      .split(',')
      .filter((entry) => entry.includes('='))
      .map((entry) => {
        const [name = '', value = ''] = entry.trim().split('=');
        return { name, score: Number(value) };
      });
    const unexpected = rules.filter(
      (rule) => !EXPECTED_RULES.has(rule.name) && !AUTHENTICATION_RULE.test(rule.name) && !allow.includes(rule.name),
    );
    return { score, rules, unexpected };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
};

/** The score and every rule that fired, for a failure message: `score 0.7; rules: HTML_MESSAGE=0.001, …`. */
export const describeRules = (report: SpamReport): string =>
  `score ${report.score}; rules: ${report.rules.map((rule) => `${rule.name}=${rule.score}`).join(', ') || 'none'}`;
