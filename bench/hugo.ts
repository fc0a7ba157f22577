import { spawnSync } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Hugo (Debian's package) building the same corpus with minimal layouts that produce what our build produces:
 * a page per post, a paginated index, and an RSS feed. Taxonomy pages are off because we do not build them.
 * Returns null when Hugo is not installed.
 */
export const timeHugoBuild = async (corpusDir: string, workDir: string): Promise<number | null> => {
  if (spawnSync('hugo', ['version']).status !== 0) return null;
  await mkdir(join(workDir, 'layouts', '_default'), { recursive: true });
  await cp(corpusDir, join(workDir, 'content', 'posts'), { recursive: true });
  await writeFile(
    join(workDir, 'hugo.toml'),
    [
      'baseURL = "https://bench.example/"',
      'title = "Bench"',
      'languageCode = "en"',
      'disableKinds = ["taxonomy", "term"]',
      '[pagination]',
      '  pagerSize = 20',
      '[outputs]',
      '  home = ["HTML", "RSS", "JSON"]',
      '[outputFormats.JSON]',
      '  baseName = "feed"',
      '',
    ].join('\n'),
  );
  const page = (body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>${body}</body></html>\n`;
  await writeFile(
    join(workDir, 'layouts', '_default', 'single.html'),
    page('<article><h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}</article>'),
  );
  await writeFile(
    join(workDir, 'layouts', '_default', 'list.html'),
    page(
      '{{ range .Paginator.Pages }}<h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p>{{ end }}',
    ),
  );
  await writeFile(
    join(workDir, 'layouts', 'index.json'),
    '{"items":[{{ range $i, $p := first 20 .Site.RegularPages }}{{ if $i }},{{ end }}{"title":{{ $p.Title | jsonify }},"content_html":{{ $p.Content | jsonify }}}{{ end }}]}\n',
  );
  const started = performance.now();
  const result = spawnSync('hugo', ['--quiet', '--source', workDir, '--destination', join(workDir, 'public')], {
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`hugo failed: ${result.stderr}`);
  return ms;
};
