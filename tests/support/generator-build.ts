/**
 * Builds a conformance fixture (tests/fixtures/conformance/<generator>) with Debian's real hugo or jekyll, for the
 * tests that compare feedmail with them. The fixture layouts print the source file into each post page
 * (`<meta name="source">`), so a post's page is found by its source whatever address the generator gave it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export type Generator = 'hugo' | 'jekyll';

/** Whether hugo and jekyll can be run here. */
export const generatorsInstalled = (): { hugo: boolean; jekyll: boolean } => ({
  hugo: spawnSync('hugo', ['version'], { encoding: 'utf8' }).status === 0,
  jekyll: spawnSync('jekyll', ['--version']).status === 0,
});

export interface GeneratorBuild {
  /** The folder the generator wrote. */
  out: string;
  /** The page the generator wrote for a post, from the post's source path as feedmail reads it; undefined if none. */
  pageOf: (sourcePath: string) => string | undefined;
}

/**
 * Copies `corpus/<generator>` (with `corpus/<generator>-site`, the rest of the site, laid over it unless `withSite`
 * is false) into `work` and builds it. `extraConfig` is merged after the fixture's own config, as the generator's
 * `--config a,b` merges (the right-most wins): its file name decides the format (`extra.toml`, `extra.yml`).
 * Throws with the generator's output when it fails.
 */
export const buildWithGenerator = (
  generator: Generator,
  corpus: string,
  work: string,
  options: { extraConfig?: { name: string; text: string }; withSite?: boolean } = {},
): GeneratorBuild => {
  const source = join(work, generator);
  const out = join(work, `${generator}-out`);
  cpSync(join(corpus, generator), source, { recursive: true });
  // The rest of the site, which the generator needs and feedmail is not given: pages that are not posts, plugins.
  const rest = join(corpus, `${generator}-site`);
  if (options.withSite !== false && existsSync(rest)) cpSync(rest, source, { recursive: true });
  const configs = [join(source, generator === 'hugo' ? 'hugo.toml' : '_config.yml')];
  if (options.extraConfig) {
    const extra = join(work, options.extraConfig.name);
    writeFileSync(extra, options.extraConfig.text);
    configs.push(extra);
  }
  const args =
    generator === 'hugo'
      ? ['--quiet', '--source', source, '--destination', out, '--config', configs.join(',')]
      : ['build', '--quiet', '--source', source, '--destination', out, '--config', configs.join(',')];
  const run = spawnSync(generator, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${generator} failed: ${run.stderr}${run.stdout}`);
  return { out, pageOf: indexPages(out, generator) };
};

/** Every file below a folder, as paths relative to it with `/` separators. */
export const filesBelow = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));

/** Hugo names a post by its path in the content folder, Jekyll by its path in the site; feedmail's keeps `content/`. */
const sourceKey = (generator: Generator, sourcePath: string): string =>
  generator === 'hugo' ? sourcePath.replace(/^content\//, '') : sourcePath;

const indexPages = (out: string, generator: Generator): GeneratorBuild['pageOf'] => {
  const pages = new Map<string, string>();
  for (const file of filesBelow(out).filter((name) => name.endsWith('.html'))) {
    const source = /<meta name="source" content="([^"]+)">/.exec(readFileSync(join(out, file), 'utf8'))?.[1];
    if (source) pages.set(source, join(out, file));
  }
  return (sourcePath) => pages.get(sourceKey(generator, sourcePath));
};
