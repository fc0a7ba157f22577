import { runCli } from '../functions/cli.ts';

/** Child process of the benchmark: one CLI build, reporting its own time and peak memory as JSON. */
const [dir, out, config] = process.argv.slice(2);
const started = performance.now();
const code = await runCli(
  ['build', dir ?? '', '--out', out ?? '', '--config', config ?? '', '--now', '2026-11-21T00:00:00Z'],
  {
    out: () => {},
    err: () => {},
  },
);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ code, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
