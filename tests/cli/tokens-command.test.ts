/*
 * `npm run cli -- tokens` and the secret adapter against a fake of Secrets Manager: there is no local stand-in for
 * it. The fake keeps versions as Secrets Manager does (each PutSecretValue makes a new AWSCURRENT with a new
 * VersionId) and answers with the SDK's own command classes and response fields.
 */
import { GetSecretValueCommand, type PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { readTokenKeyRing, rotateTokenKeySecret, type SecretsClient } from '../../functions/adapters/secret-key.ts';
import { runTokensCommand } from '../../functions/cli/tokens-command.ts';
import { runCli } from '../../functions/cli.ts';
import { ConflictError } from '../../functions/core/errors.ts';
import { readTokenKeys } from '../../functions/core/subscribers/token-key-ring.ts';
import { signToken, verifyToken } from '../../functions/core/subscribers/tokens.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:TokenKey-AbCdEf';
const PLAIN = `${'Zq7'.repeat(21)}x`;
const now = new Date('2026-12-01T12:00:00Z');

/** Secrets Manager's versions of one secret; `beforeRead` lets a test change it between two reads. */
const fakeSecrets = (initial: string, beforeRead?: (reads: number, put: (text: string) => void) => void) => {
  const versions: { id: string; text: string }[] = [{ id: 'v0', text: initial }];
  const put = (text: string) => versions.push({ id: `v${versions.length}`, text });
  let reads = 0;
  const client = {
    send: async (command: GetSecretValueCommand | PutSecretValueCommand) => {
      if (command.input.SecretId !== ARN)
        throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      if (command instanceof GetSecretValueCommand) {
        beforeRead?.(reads++, put);
        const latest = versions.at(-1) as { id: string; text: string };
        return { SecretString: latest.text, VersionId: latest.id };
      }
      put(command.input.SecretString ?? '');
      return { VersionId: versions.at(-1)?.id };
    },
  } as SecretsClient;
  return { client, versions };
};

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
};

describe('tokens rotate', () => {
  it('turns a plain-string secret into a ring whose old key still opens links already sent', async () => {
    // Prepare
    const secrets = fakeSecrets(PLAIN);
    const sent = signToken(new TextEncoder().encode(PLAIN), { purpose: 'unsubscribe', key: 'ada@example.org' });
    const { io, out, err } = capture();

    // Act
    const status = await runTokensCommand(['rotate', '--secret', ARN], io, { secrets: secrets.client, now: () => now });
    const dayLater = new Date(now.getTime() + 24 * 60 * 60 * 1000);
    const ring = await readTokenKeyRing(ARN, secrets.client, dayLater);

    // Assess
    expect(status).toBe(0);
    expect(err).toEqual([]);
    expect(secrets.versions).toHaveLength(2);
    const stored = readTokenKeys(secrets.versions[1]?.text ?? '', ARN);
    const newKey = stored.keys[0]?.key ?? '';
    expect(newKey).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(stored.keys).toEqual([
      { key: newKey, sealsFrom: '2026-12-02T12:00:00.000Z' },
      { key: PLAIN, acceptUntil: '2027-12-02T12:00:00.000Z' },
    ]);
    expect(verifyToken(ring, sent, 'unsubscribe', dayLater).ok).toBe(true);
    expect(
      verifyToken(
        new TextEncoder().encode(newKey),
        signToken(ring, { purpose: 'unsubscribe', key: 'a@b.c' }),
        'unsubscribe',
        now,
      ).ok,
    ).toBe(true);
    expect(out.join('\n')).toMatch(/from 2026-12-02T12:00:00\.000Z/);
    expect(out.join('\n')).toMatch(/until 2027-12-02T12:00:00\.000Z/);
    expect(out.join('\n')).not.toContain(PLAIN);
    expect(out.join('\n')).not.toContain(newKey);
  });

  it('drops the replaced key with --keep-days 0 and warns that links already sent stop working', async () => {
    // Prepare
    const secrets = fakeSecrets(PLAIN);
    const { io, out, err } = capture();

    // Act
    const status = await runTokensCommand(['rotate', '--secret', ARN, '--keep-days', '0'], io, {
      secrets: secrets.client,
      now: () => now,
    });

    // Assess
    expect(status).toBe(0);
    expect(readTokenKeys(secrets.versions[1]?.text ?? '', ARN).keys).toHaveLength(1);
    expect(out.join('\n')).toMatch(/Dropped 1 key/);
    expect(err.join('\n')).toMatch(/under 30.*CAN-SPAM/);
  });

  it('writes nothing when the secret changed between its read and the write', async () => {
    // Prepare: another rotation lands right after this one's first read.
    const secrets = fakeSecrets(PLAIN, (reads, put) => {
      if (reads === 1) put('Other'.repeat(10));
    });

    // Act
    const rotation = rotateTokenKeySecret(ARN, { now, keepDays: 365 }, secrets.client);

    // Assess
    await expect(rotation).rejects.toBeInstanceOf(ConflictError);
    expect(secrets.versions).toHaveLength(2);
  });

  it('refuses a secret that is not a usable ring, writing nothing', async () => {
    // Prepare
    const secrets = fakeSecrets('{"format":"feedmail-token-keys-v1","keys":[]}');
    const { io, err } = capture();

    // Act
    const status = await runTokensCommand(['rotate', '--secret', ARN], io, { secrets: secrets.client, now: () => now });

    // Assess
    expect(status).toBe(2);
    expect(err.join('\n')).toMatch(/not a usable key ring/);
    expect(secrets.versions).toHaveLength(1);
  });

  it.each([
    [['rotate'], /needs --secret/],
    [['rotate', '--secret', ARN, '--keep-days', 'ten'], /not a whole number of days/],
    [['rotate', '--secret', ARN, '--seal-after-hours', '-1'], /not a whole number of hours|seal-after-hours/],
    [['status', '--secret', ARN, '--keep-days', '3'], /--keep-days is for rotate/],
    [['turn', '--secret', ARN], /unknown tokens command "turn"/],
  ])('answers %j with a usage error and status 2', async (argv, message) => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await runCli(['tokens', ...argv], io);

    // Assess
    expect(status).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).toMatch(/Usage: npm run cli -- tokens/);
  });
});

describe('tokens status', () => {
  it('counts the keys and says until when each previous key opens links, never showing a key', async () => {
    // Prepare
    const secrets = fakeSecrets(PLAIN);
    await rotateTokenKeySecret(ARN, { now, keepDays: 365 }, secrets.client);
    const { io, out } = capture();

    // Act
    const status = await runTokensCommand(['status', '--secret', ARN], io, {
      secrets: secrets.client,
      now: () => now,
    });

    // Assess
    expect(status).toBe(0);
    expect(out).toEqual([
      'The ring holds 2 key(s), newest first:',
      '  1. seals from 2026-12-02T12:00:00.000Z; opens links with no end set',
      '  2. sealed from the start; opens links until 2027-12-02T12:00:00.000Z',
    ]);
  });
});
