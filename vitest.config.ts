import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests start in-process S3 and DynamoDB stand-ins; give them room on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The AWS SDK's documented switch for its notice that later releases need Node 22: each test file runs in its own
    // worker, so it was printed once per file. Only this Node 20 machine sees it; the deployed functions run Node 24
    // and are never given the switch (tests/sdk-node-warning.test.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: '.local/test-results.json' }]],
  },
});
