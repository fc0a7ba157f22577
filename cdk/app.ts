import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../functions/core/errors.ts';
import { parseSiteConfig } from '../functions/core/site-config.ts';
import type { SiteConfig } from '../functions/core/types.ts';
import { PublisherStack } from './publisher-stack.ts';

/**
 * The CDK app, and the only CDK file that reads context or files. Context:
 * - `siteConfig`: path of the site configuration (relative to the working directory); default `site.config.json`
 *   at the repository root.
 * - `stackName`: default `Feedmail`.
 */
const DEFAULT_SITE_CONFIG = fileURLToPath(new URL('../site.config.json', import.meta.url));

const readSiteConfig = (path: string): SiteConfig => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the site config ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseSiteConfig(json, path);
};

const app = new App();
const contextPath: unknown = app.node.tryGetContext('siteConfig');
const siteConfigPath = typeof contextPath === 'string' ? resolve(contextPath) : DEFAULT_SITE_CONFIG;
const contextStackName: unknown = app.node.tryGetContext('stackName');
const stackName = typeof contextStackName === 'string' && contextStackName !== '' ? contextStackName : 'Feedmail';

let siteConfig: SiteConfig;
try {
  siteConfig = readSiteConfig(siteConfigPath);
} catch (error) {
  // The message already names the file and every bad key; a stack trace would only bury it.
  console.error(`Synth stopped: ${(error as Error).message}`);
  process.exit(1);
}

try {
  new PublisherStack(app, stackName, {
    siteConfig,
    description: `Feedmail publisher for ${siteConfig.title}`,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Synth stopped: ${error.message}`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
