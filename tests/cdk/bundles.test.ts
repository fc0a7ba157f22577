import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/*
 * What each Lambda bundle loads. A family's functions share one composition root (functions/handlers/deployed-*.ts),
 * so a bundle stays lean only because package.json's `sideEffects: false` lets esbuild leave out the modules its own
 * function never uses. Bundled here with NodeFunction's settings that decide what goes in (ES module, Node, the
 * `module` field first, cheerio/slim, typescript external), without the CDK around them.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The packages whose code ends up in the bundle of a handler entry (bundled once per entry). */
const bundled = new Map<string, Promise<Set<string>>>();
const packagesIn = (entry: string): Promise<Set<string>> => {
  const packages = bundled.get(entry) ?? bundlePackages(entry);
  bundled.set(entry, packages);
  return packages;
};

const bundlePackages = async (entry: string): Promise<Set<string>> => {
  const result = await build({
    entryPoints: [`functions/handlers/${entry}.ts`],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: ['typescript'],
    alias: { cheerio: 'cheerio/slim' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  return new Set(
    inputs
      .filter(([path, input]) => input.bytesInOutput > 0 && path.includes('node_modules/'))
      .map(([path]) => {
        const parts = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
        return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? '');
      }),
  );
};

describe('Lambda bundles', () => {
  it.each(['subscription-api', 'send-digest', 'pause-digests', 'ses-feedback'])(
    'leave MJML out of %s, which compiles no template',
    async (entry) => {
      // Act
      const packages = await packagesIn(entry);

      // Assess
      expect([...packages].filter((name) => name.startsWith('mjml') || name === 'html-to-text')).toEqual([]);
    },
  );

  it('leave SES and the mail composer out of the subscription API, which sends no mail', async () => {
    // Act
    const packages = await packagesIn('subscription-api');

    // Assess
    expect(packages.has('@aws-sdk/client-ses')).toBe(false);
    expect(packages.has('nodemailer')).toBe(false);
  });

  it('put MJML in the functions that compile templates', async () => {
    // Act
    const planner = await packagesIn('plan-digest');
    const confirmations = await packagesIn('send-confirmation');

    // Assess
    expect(planner.has('mjml-core')).toBe(true);
    expect(confirmations.has('mjml-core')).toBe(true);
  });
});
