/** The real command line (npm run cli -- …) and other commands, as child processes. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with only PATH and `env` set (no .env of the developer's leaks in). */
export function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((done) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd ?? resolve("."),
        env: { PATH: process.env.PATH, ...env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (_e, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** `npm run cli -- <args>` without npm's own output. */
export function runCli(args: string[], env: Record<string, string>, options: { cwd?: string } = {}) {
  return runProcess(resolve("node_modules/.bin/tsx"), [resolve("src/cli/index.ts"), ...args], env, options);
}
