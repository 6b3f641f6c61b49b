import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join, resolve } from "node:path";

/** `npm run demo` as a real process in `dir`, with its own database and log there, no colours. */
export function spawnDemo(dir: string): ChildProcessWithoutNullStreams {
  return spawn(resolve("node_modules/.bin/tsx"), [resolve("src/dev/demo.ts")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      DEMO_DATABASE_URL: `file:${join(dir, "demo.db")}`,
      DEMO_LOG_FILE: join(dir, "demo.log"),
      NO_COLOR: "1",
    },
  });
}
