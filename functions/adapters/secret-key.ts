import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, ConflictError } from '../core/errors.ts';
import {
  formatTokenKeys,
  readTokenKeys,
  rotateTokenKeys,
  type StoredTokenKeys,
  type TokenKeyRing,
  toTokenKeyRing,
} from '../core/subscribers/token-key-ring.ts';

/** The two Secrets Manager calls used here; a `SecretsManagerClient` fits. */
export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined; VersionId?: string | undefined }>;
  send(command: PutSecretValueCommand): Promise<{ VersionId?: string | undefined }>;
}

const readSecret = async (client: SecretsClient, secretId: string) => {
  const { SecretString, VersionId } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined) throw new ConfigError(`the secret ${secretId} holds no text`);
  return { keys: readTokenKeys(SecretString, secretId), versionId: VersionId };
};

/**
 * Reads the token key ring from Secrets Manager, as it stands at `now` (once per cold start, so a rotation reaches a
 * warm function only when its execution environment is replaced; see token-key-ring.ts for why that is safe). The
 * stack generates the first key at deploy time, so no key is ever in code, in the template or in an environment
 * variable. A plain-string secret (as every stack before key rings has) is a ring of one key.
 */
export const readTokenKeyRing = async (
  secretArn: string,
  client: SecretsClient = new SecretsManagerClient({}),
  now = new Date(),
): Promise<TokenKeyRing> => toTokenKeyRing((await readSecret(client, secretArn)).keys, now);

/** The secret's keys as stored (for `cli tokens status`). */
export const readTokenKeySecret = async (
  secretId: string,
  client: SecretsClient = new SecretsManagerClient({}),
): Promise<StoredTokenKeys> => (await readSecret(client, secretId)).keys;

/**
 * Writes a new version of the secret: a new key that seals from `sealAfterHours` on, the key it replaces kept for
 * `keepDays` after that, and the other keys whose time is not up (see rotateTokenKeys). Secrets Manager has no conditional write: the version
 * read is checked again just before writing, which narrows (but cannot close) the window in which two rotations at
 * once could lose one's key. Run one rotation at a time.
 */
export const rotateTokenKeySecret = async (
  secretId: string,
  options: { now: Date; keepDays: number; sealAfterHours?: number; newKey?: string },
  client: SecretsClient = new SecretsManagerClient({}),
): Promise<{ before: StoredTokenKeys; after: StoredTokenKeys; versionId: string | undefined }> => {
  const { keys: before, versionId } = await readSecret(client, secretId);
  const after = rotateTokenKeys(before, {
    // 48 random bytes are 64 base64url characters, as long as the key the stack generates.
    newKey: options.newKey ?? randomBytes(48).toString('base64url'),
    now: options.now,
    keepDays: options.keepDays,
    ...(options.sealAfterHours === undefined ? {} : { sealAfterHours: options.sealAfterHours }),
  });
  const again = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (again.VersionId !== versionId)
    throw new ConflictError(`the secret ${secretId} changed while rotating (another rotation?); run it again`);
  const written = await client.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: formatTokenKeys(after) }),
  );
  return { before, after, versionId: written.VersionId };
};
