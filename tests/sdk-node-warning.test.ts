/*
 * The AWS SDK prints a NodeVersionSupportWarning once per process on Node < 22, which on this project's Node 20 meant
 * once per test file (each runs in its own worker). The SDK's documented switch,
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true, is set for the tests in vitest.config.ts (as it is by the
 * local run, the CLI and the benchmark in their entry points), and never for the deployed functions, which run on
 * Node.js 24 (cdk/constructs/node-function.ts) where the SDK has nothing to warn about.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const oldNode = Number(process.versions.node.split('.')[0]) < 22;

/** What a new process with `env` prints on stderr when it makes an SDK client. */
const stderrOfClient = async (env: NodeJS.ProcessEnv): Promise<string> => {
  const script = "import { S3Client } from '@aws-sdk/client-s3'; new S3Client({ region: 'us-east-1' });";
  const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env,
  });
  return stderr;
};

describe('the SDK notice about Node versions', () => {
  it.skipIf(!oldNode)('is printed by a process without the switch (so the next test can see it)', async () => {
    const { [SWITCH]: _switch, ...withoutSwitch } = process.env;

    expect(await stderrOfClient(withoutSwitch)).toMatch(/NodeVersionSupportWarning/);
  });

  it('is not printed under the environment the tests run with', async () => {
    expect(await stderrOfClient(process.env)).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('is never switched off for the deployed functions (the stack and the handlers do not set it)', async () => {
    const sources = async (dir: string): Promise<string[]> =>
      (await readdir(join(root, dir), { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
    const files = [...(await sources('cdk')), ...(await sources('functions/handlers'))];
    const setting: string[] = [];
    for (const file of files) if ((await readFile(join(root, file), 'utf8')).includes(SWITCH)) setting.push(file);

    expect(files.length).toBeGreaterThan(10);
    expect(setting).toEqual([]);
  });
});
