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
