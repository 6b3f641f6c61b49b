import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { describe, expect, it } from "vitest";
import { formatDate } from "../../src/domain/time.ts";
import { spawnDemo } from "../support/demo.ts";
import { tempDir } from "../support/temp.ts";

/**
 * npm run demo with the notice sender: the coordinator schedules a visit with /lichmoi, the
 * Sông Mã officer receives the notice and presses «Đã nhận».
 */
function waitFor(child: ChildProcessWithoutNullStreams, out: { text: string }, pattern: RegExp, ms = 20_000) {
  return new Promise<RegExpExecArray>((done, fail) => {
    const check = () => {
      const m = pattern.exec(out.text);
      if (m) {
        clearInterval(timer);
        clearTimeout(timeout);
        done(m);
      }
    };
    const timer = setInterval(check, 50);
    const timeout = setTimeout(() => {
      clearInterval(timer);
      fail(new Error(`no ${pattern} in:\n${out.text}`));
    }, ms);
    child.once("close", () => setTimeout(check, 0));
  });
}

describe("npm run demo: schedule and notices", () => {
  it("a coordinator schedules a visit; the unit's officer gets the notice and acknowledges it", async () => {
    const dir = tempDir("demo-schedule");
    const child = spawnDemo(dir);
    const out = { text: "" };
    child.stdout.on("data", (d) => {
      out.text += d;
    });
    child.stderr.on("data", (d) => {
      out.text += d;
    });
    try {
      const [, code] = (await waitFor(child, out, /\/start ([A-Z0-9]{10})/)) as unknown as [string, string];
      child.stdin.write(`/start ${code}\n`);
      await waitFor(child, out, /Đã liên kết thành công/);
      const day = formatDate(new Date(Date.now() + 30 * 86_400_000), "Asia/Ho_Chi_Minh");
      child.stdin.write(`:nguoi 2\n/lichmoi Sông Mã ${day} 08:00 Hội trường UBND huyện\n`);
      await waitFor(child, out, /Đã lập lịch kiểm tra/);
      await waitFor(child, out, /Thông báo lịch kiểm tra công tác cải cách hành chính/);
      child.stdin.write(":nguoi 1\n1\n");
      await waitFor(child, out, /Đã nhận lúc/);
      child.stdin.write(":thoat\n");
      const exit = await new Promise<number | null>((done) => child.on("close", done));
      expect(out.text).toContain(`${day} 08:00`);
      expect(out.text).toContain("Đã gửi thông báo tới 1 người");
      expect(exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGTERM");
    }
  }, 60_000);
});
