import { describe, expect, it } from 'vitest';
import { sourcePathsOf } from '../../functions/handlers/s3-event.ts';
import { s3Event } from '../support/events.ts';

describe('sourcePathsOf', () => {
  it('decodes keys the way S3 encodes them in notifications, spaces as plus signs', () => {
    // Prepare: the fixture is a real notification for `posts/2024/café notes.md`.
    const event = s3Event('created', 'posts/2024/café notes.md');

    // Act
    const paths = sourcePathsOf(event, 'posts/');

    // Assess
    expect(event.Records[0]?.s3.object.key).toBe('posts/2024/caf%C3%A9+notes.md');
    expect(paths).toEqual(['2024/café notes.md']);
  });

  it('keeps a literal plus sign, which S3 encodes as %2B', () => {
    // Act
    const paths = sourcePathsOf(s3Event('created', 'posts/c++ tips.md'), 'posts/');

    // Assess
    expect(paths).toEqual(['c++ tips.md']);
  });

  it('ignores keys outside the prefix and the prefix itself, and names each key once', () => {
    // Prepare
    const event = {
      Records: [
        ...s3Event('created', 'site/index.html').Records,
        ...s3Event('created', 'posts/').Records,
        ...s3Event('created', 'posts/a.md').Records,
        ...s3Event('removed', 'posts/a.md').Records,
      ],
    };

    // Act
    const paths = sourcePathsOf(event, 'posts/');

    // Assess
    expect(paths).toEqual(['a.md']);
  });
});
