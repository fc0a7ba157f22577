/**
 * Offset to 1-based line in `text`, for problems that must name the line of something found by offset. Builds
 * the line starts once, so many lookups in one text stay cheap.
 * @example lineLocator('a\nb')(2) // 2
 */
export const lineLocator = (text: string): ((offset: number) => number) => {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
};
