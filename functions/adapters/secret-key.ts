import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors.ts';

/** Shorter secrets would weaken the derived AES-256 key; the stack generates 64 characters. */
const MIN_KEY_LENGTH = 32;

/**
 * Reads the token-sealing secret from Secrets Manager (once per cold start). The stack generates it at deploy time,
 * so it is never in code, in the template or in an environment variable.
 */
export const readSecretKey = async (secretArn: string, client = new SecretsManagerClient({})): Promise<Uint8Array> => {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString || SecretString.length < MIN_KEY_LENGTH) {
    throw new ConfigError(`the secret ${secretArn} must hold at least ${MIN_KEY_LENGTH} characters`);
  }
  return new TextEncoder().encode(SecretString);
};
