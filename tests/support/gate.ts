/**
 * Holds one step of an invocation so a test can interleave another at an exact point: the held code awaits
 * `pass()`, the test awaits `reached` (the held code got there) and calls `open()` to let it go on.
 */
export const createGate = () => {
  let arrive: () => void = () => {};
  let release: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    reached,
    open: () => release(),
    pass: async (): Promise<void> => {
      arrive();
      await opened;
    },
  };
};
