import { expect } from 'vitest';
import { ConfigError } from '../../functions/core/errors.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';

/** The problem lines of the ConfigError parseSiteConfig throws for `input`, without the heading. */
export const configProblemsOf = (input: unknown): string[] => {
  try {
    parseSiteConfig(input, 'site.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(1);
  }
  throw new Error('expected a ConfigError');
};
