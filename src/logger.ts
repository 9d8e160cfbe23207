import pino from 'pino';

/** JSON logs; secrets never reach them (the redact paths cover keys in headers and bodies). */
export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'apiKey', 'api_key', '*.apiKey', '*.api_key', 'token'],
      censor: '[redacted]',
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
