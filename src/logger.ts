import pino from 'pino';

/**
 * JSON logs; secrets never reach them (the redact paths cover keys in headers and bodies). `destination` defaults
 * to stdout (tests pass a stream to capture the lines).
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'authorization',
        '*.authorization',
        'apiKey',
        'api_key',
        '*.apiKey',
        '*.api_key',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
