/**
 * The layout's rules, read from the import statements themselves so a change that breaks one fails here rather than
 * in a reviewer's head: core imports nothing outside core and no AWS SDK, nothing imports in a circle, only adapters
 * (and the local stand-ins and command line that wire them) import @aws-sdk, and a core feature folder imports no
 * sibling feature's folder except the ones named below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FUNCTIONS = join(ROOT, 'functions');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s+'([^']+)'/g;

/** Every module a file names, as absolute paths for relative imports and as package names for the rest. */
const importsOf = (file: string): { local: string[]; packages: string[] } => {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3] ?? '';
    if (spec.startsWith('.')) local.push(resolve(dirname(file), spec));
    else packages.push(spec);
  }
  return { local, packages };
};

const files = sourceFiles(FUNCTIONS);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const rel = (file: string): string => relative(ROOT, file);

/** The folder a core file belongs to: its feature folder, or '' for the shared files at core's root. */
const featureOf = (file: string): string => {
  const parts = relative(join(FUNCTIONS, 'core'), file).split('/');
  return parts.length > 1 ? (parts[0] ?? '') : '';
};

/**
 * Which feature may use which: the site shows feeds, posts and subscription forms; mail shows digest content and
 * subscriber links. Anything not listed here is a new dependency that should be a conscious choice.
 */
const ALLOWED_FEATURE_IMPORTS: Record<string, readonly string[]> = {
  posts: [],
  feeds: [],
  site: ['feeds', 'posts', 'subscribers'],
  subscribers: [],
  mail: ['digest', 'subscribers'],
  digest: [],
};

describe('the layout', () => {
  it('keeps core free of imports from app, adapters, handlers, local and the AWS SDK', () => {
    const outward = [...graph]
      .filter(([file]) => file.startsWith(join(FUNCTIONS, 'core')))
      .flatMap(([file, { local, packages }]) => [
        ...local
          .filter((target) => !target.startsWith(join(FUNCTIONS, 'core')))
          .map((t) => `${rel(file)} -> ${rel(t)}`),
        ...packages.filter((p) => p.startsWith('@aws-sdk/')).map((p) => `${rel(file)} -> ${p}`),
      ]);

    expect(outward).toEqual([]);
  });

  it('lets a core feature folder import only the shared root and the features it is allowed', () => {
    const crossings = [...graph]
      .filter(([file]) => featureOf(file) !== '' && file.startsWith(join(FUNCTIONS, 'core')))
      .flatMap(([file, { local }]) => {
        const from = featureOf(file);
        return local
          .filter((target) => target.startsWith(join(FUNCTIONS, 'core')))
          .map((target) => featureOf(target))
          .filter((to) => to !== '' && to !== from && !(ALLOWED_FEATURE_IMPORTS[from] ?? []).includes(to))
          .map((to) => `${rel(file)} (${from}) -> ${to}`);
      });

    expect(crossings).toEqual([]);
  });

  it('keeps the shared files at core root free of feature imports', () => {
    const upward = [...graph]
      .filter(([file]) => dirname(file) === join(FUNCTIONS, 'core'))
      .flatMap(([file, { local }]) =>
        local.filter((target) => featureOf(target) !== '').map((target) => `${rel(file)} -> ${rel(target)}`),
      );

    expect(upward).toEqual([]);
  });

  it('has no import cycle anywhere under functions/', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(rel).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file)?.local ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, 'done');
    };

    for (const file of files) visit(file, []);

    expect(cycles).toEqual([]);
  });

  it('imports the AWS SDK only in adapters and the places that wire them', () => {
    const allowed = ['adapters', 'handlers', 'local', 'cli'].map((folder) => join(FUNCTIONS, folder));
    const sdkUsers = [...graph]
      .filter(([, { packages }]) => packages.some((p) => p.startsWith('@aws-sdk/')))
      .map(([file]) => file)
      .filter((file) => !allowed.some((folder) => file.startsWith(folder)) && file !== join(FUNCTIONS, 'cli.ts'));

    expect(sdkUsers.map(rel)).toEqual([]);
  });
});
