import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.ts';
import { readPublisherEnvironment } from '../../functions/handlers/environment.ts';

const valid = () => ({
  CONTENT_BUCKET_NAME: 'content-bucket',
  STATE_TABLE_NAME: 'state-table',
  SITE_CONFIG: JSON.stringify({ title: 'Notes', baseUrl: 'https://notes.example' }),
});

describe('readPublisherEnvironment', () => {
  it('reads the bucket, table, prefixes and validated site config', () => {
    // Act
    const environment = readPublisherEnvironment(valid());

    // Assess
    expect(environment).toMatchObject({
      bucket: 'content-bucket',
      tableName: 'state-table',
      postsPrefix: 'posts/',
      sitePrefix: 'site/',
      site: { title: 'Notes', baseUrl: 'https://notes.example/', feedSize: 20 },
    });
  });

  it('names every missing variable at once', () => {
    // Act
    const read = () => readPublisherEnvironment({ SITE_CONFIG: '{}' });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('CONTENT_BUCKET_NAME, STATE_TABLE_NAME');
  });

  it('says which variable holds broken JSON', () => {
    // Act
    const read = () => readPublisherEnvironment({ ...valid(), SITE_CONFIG: '{title:' });

    // Assess
    expect(read).toThrow('SITE_CONFIG is not valid JSON');
  });

  it('lists every bad key of the site config', () => {
    // Act
    const read = () =>
      readPublisherEnvironment({ ...valid(), SITE_CONFIG: JSON.stringify({ title: '', baseUrl: 'ftp://x' }) });

    // Assess
    expect(read).toThrow(/title: .*\n.*baseUrl: /s);
  });
});
