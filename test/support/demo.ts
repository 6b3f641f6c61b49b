import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join, resolve } from "node:path";

/**
 * `npm run demo` as a real process in `dir`, with its own database and log there, no colours;
 * `args` as after `npm run demo --` (["--zalo"] for the Zalo playground).
 */
export function spawnDemo(dir: string, args: string[] = []): ChildProcessWithoutNullStreams {
  return spawn(resolve("node_modules/.bin/tsx"), [resolve("src/dev/demo.ts"), ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      DEMO_DATABASE_URL: `file:${join(dir, "demo.db")}`,
      DEMO_LOG_FILE: join(dir, "demo.log"),
      NO_COLOR: "1",
    },
  });
}

/**
 * npm run demo as a person uses it: the real process, piped input, everything it printed.
 * `lines` may use CODE for the invite code the playground prints ("/start CODE" on Telegram,
 * "MOI CODE" on Zalo).
 */
export async function runDemo(
  dir: string,
  lines: string[],
  args: string[] = [],
): Promise<{ out: string; exit: number | null }> {
  const child = spawnDemo(dir, args);
  let out = "";
  child.stderr.on("data", (d) => {
    out += d;
  });
  const code = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no invite code printed:\n${out}`)), 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(?:\/start|MOI) ([A-Z0-9]{10})/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
  });
  child.stdin.write(`${lines.map((l) => l.replace("CODE", code)).join("\n")}\n:thoat\n`);
  const exit = await new Promise<number | null>((done) => child.on("close", done));
  return { out, exit };
}
