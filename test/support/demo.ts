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

/**
 * npm run demo driven line by line, as a person at the terminal: `say` types a line and
 * returns where the output stood, `until` waits for a pattern after that point, `press`
 * types the number of the button whose label matches on the bot's last keyboard.
 */
export function driveDemo(dir: string, args: string[] = []) {
  const child = spawnDemo(dir, args);
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const until = async (pattern: RegExp, from = 0, ms = 60_000) => {
    for (let i = 0; i < ms / 50; i++) {
      const m = pattern.exec(out.slice(from));
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`waited for ${pattern}:\n${out.slice(-3000)}`);
  };
  const say = (line: string) => {
    const from = out.length;
    child.stdin.write(`${line}\n`);
    return from;
  };
  const press = async (label: RegExp, from: number) => {
    const n = (await until(new RegExp(`\\[(\\d+)\\] ${label.source}`), from))[1]!;
    return say(n);
  };
  const closed = () => new Promise<number | null>((done) => child.on("close", done));
  return { child, out: () => out, until, say, press, closed };
}
