import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A deterministic synthetic blog: `count` Markdown posts with YAML front matter (as Hugo reads it too), about
 * 2 KB each, with headings, lists, links, code and a table, spread over the years before 2026.
 */
const WORDS =
  'lambda bucket feed reader digest archive cache schema queue index table event retry lease render page month post author subscriber draft schedule token header footer image link summary excerpt'.split(
    ' ',
  );

const lcg = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
};

const sentence = (random: () => number, words: number): string => {
  const picked = Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)] ?? 'post');
  const text = picked.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
};

export const syntheticPost = (i: number): { path: string; text: string } => {
  const random = lcg(i + 1);
  const date = new Date(Date.UTC(2012, 0, 1) + Math.floor(random() * 14 * 365) * 86_400_000 + i * 1000);
  const title = `${sentence(random, 4).slice(0, -1)} ${i}`;
  const tags = [WORDS[i % WORDS.length], WORDS[(i * 7) % WORDS.length]];
  const paragraphs = Array.from({ length: 5 }, () => sentence(random, 12 + Math.floor(random() * 20)));
  const text = [
    '---',
    `title: "${title}"`,
    `date: ${date.toISOString()}`,
    `tags: [${tags.join(', ')}]`,
    `description: "${sentence(random, 10)}"`,
    '---',
    '',
    paragraphs[0],
    '',
    '<!--more-->',
    '',
    '## Details',
    '',
    paragraphs[1],
    '',
    `- ${sentence(random, 5)}`,
    `- ${sentence(random, 6)} See [the archive](https://example.org/archive/${i}).`,
    `- ${sentence(random, 4)}`,
    '',
    '```ts',
    `const value${i} = ${i} * 2;`,
    '```',
    '',
    '| key | value |',
    '| --- | ----- |',
    `| post | ${i} |`,
    '',
    ...paragraphs.slice(2).flatMap((p) => [p, '']),
  ].join('\n');
  return { path: `post-${String(i).padStart(5, '0')}.md`, text };
};

export const writeCorpus = async (dir: string, count: number): Promise<void> => {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, j) => {
        const post = syntheticPost(i + j);
        return writeFile(join(dir, post.path), post.text);
      }),
    );
  }
};
