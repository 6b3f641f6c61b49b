import pino from "pino";

export type Logger = pino.Logger;

/** JSON logs in production; readable lines when a person watches a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY && !process.env.CI): Logger {
  return pino({
    level,
    base: undefined,
    transport: pretty
      ? { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } }
      : undefined,
  });
}
