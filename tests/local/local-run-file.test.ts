/*
 * `.local/run.json` holds the local run's token key: only its owner may read it, whether it is new or replaces a
 * file left with wider permissions (an older version wrote it 0644), and `.local` is closed to others too. Real files
 * in a temporary folder; POSIX permissions, so skipped on Windows.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalRunInfo, readLocalRun, writeLocalRun } from '../../functions/local/local-run-file.ts';

const info: LocalRunInfo = {
  pid: process.pid,
  siteUrl: 'http://localhost:8787/',
  dynamoEndpoint: 'http://127.0.0.1:1',
  tableName: 'feedmail-state',
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  tokenKey: 'ab'.repeat(32),
};

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe.skipIf(process.platform === 'win32')('the local run file', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'feedmail-run-file-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is written 0600 in a 0700 .local folder', async () => {
    // Act
    await writeLocalRun(root, info);

    // Assess
    expect(await modeOf(join(root, '.local'))).toBe(0o700);
    expect(await modeOf(join(root, '.local', 'run.json'))).toBe(0o600);
    expect(await readLocalRun(root)).toEqual(info);
  });

  it('closes a world-readable run.json and .local left by an earlier run, leaving no temporary file', async () => {
    // Prepare
    await mkdir(join(root, '.local'), { mode: 0o755 });
    await chmod(join(root, '.local'), 0o755);
    await writeFile(join(root, '.local', 'run.json'), '{"stale":true}\n', { mode: 0o644 });
    await chmod(join(root, '.local', 'run.json'), 0o644);

    // Act
    await writeLocalRun(root, info);

    // Assess
    expect(await modeOf(join(root, '.local'))).toBe(0o700);
    expect(await modeOf(join(root, '.local', 'run.json'))).toBe(0o600);
    expect(JSON.parse(await readFile(join(root, '.local', 'run.json'), 'utf8'))).toEqual(info);
    expect(await readdir(join(root, '.local'))).toEqual(['run.json']);
  });
});
