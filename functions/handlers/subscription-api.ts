// Placeholder while the subscription API is being written in this session; replaced before commit.
export const handler = async (): Promise<never> => {
  throw new Error('not yet');
};
