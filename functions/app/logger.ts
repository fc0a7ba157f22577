/** Structured logging, one JSON object per line (CloudWatch Logs Insights reads the fields). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const createJsonLogger = (
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger => {
  const log =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      write(JSON.stringify({ level, message, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * CloudWatch metrics without an API call: one log line in the Embedded Metric Format, which CloudWatch Logs turns
 * into metrics of `namespace` (counts, per digest stage). Written through the logger, so tests see it too.
 * @example emitMetrics(log, 'Feedmail/Digests', { Sent: 97, Failed: 1 }, { Function: 'send-digest' })
 */
export const emitMetrics = (
  log: Logger,
  namespace: string,
  counts: Record<string, number>,
  dimensions: Record<string, string>,
  now: Date = new Date(),
): void => {
  log.info('metrics', {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(counts).map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    ...dimensions,
    ...counts,
  });
};
