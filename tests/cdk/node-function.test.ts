import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFunction } from '../../cdk/constructs/node-function.ts';

// Bundles for real with the local esbuild. The entry is a CommonJS package that calls require('fs') as it loads,
// like several of the publisher's dependencies: an ES module bundle only loads if the require banner works.
let bundleDir: string;
let template: Template;

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'Functions');
  new NodeFunction(stack, 'Probe', {
    entry: 'node_modules/gray-matter/index.js',
    copyIntoBundle: { 'node_modules/gray-matter/lib': 'data' },
  });
  const assembly = app.synth();
  template = Template.fromStack(stack);
  const manifest = JSON.parse(readFileSync(join(assembly.directory, 'Functions.assets.json'), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string } }>;
  };
  const bundle = Object.values(manifest.files).find((file) => file.source.packaging === 'zip');
  bundleDir = join(assembly.directory, bundle?.source.path ?? 'no-bundle-in-assembly');
});

describe('NodeFunction bundling', () => {
  it('writes an ES module with a linked source map', () => {
    expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(bundleDir, 'index.mjs.map'))).toBe(true);
    expect(readFileSync(join(bundleDir, 'index.mjs'), 'utf8')).toMatch(
      /^import { createRequire as __createRequire } from 'node:module';/,
    );
  });

  it('bundles CommonJS dependencies that require Node built-ins, and the result loads', () => {
    // A plain Node process, not vitest's module runner, which would lend the bundle a `require` of its own.
    const script = `const m = await import(${JSON.stringify(pathToFileURL(join(bundleDir, 'index.mjs')).href)});
      console.log(typeof m.default);`;

    const output = execFileSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8' });

    expect(output.trim()).toBe('function');
  });

  it('copies the folders the handler reads at run time into the bundle', () => {
    expect(existsSync(join(bundleDir, 'data', 'parse.js'))).toBe(true);
  });

  it('points Lambda at the ES module handler', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x' });
  });
});
