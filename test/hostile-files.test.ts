import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { editedCampaign } from "./support/campaign.ts";
import { runCli } from "./support/cli.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { tempDir } from "./support/temp.ts";

/**
 * Hostile campaign files through the real CLI: each ends with a line per problem
 * ("file: path: problem"), exit code 1, no stack trace, and nothing imported.
 */
const tmp = tempDir("hostile");
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.destroy());

const edited = editedCampaign;

async function importOf(name: string, content: string | Buffer) {
  const file = join(tmp, name);
  writeFileSync(file, content);
  const result = await runCli(["import", file], { DATABASE_URL: database.url });
  return { ...result, file };
}

function expectRefused(result: { code: number | null; stdout: string; stderr: string; file: string }, line: RegExp) {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  const lines = result.stderr.trimEnd().split("\n");
  for (const l of lines) expect(l.startsWith(`${result.file}: `), l).toBe(true);
  expect(
    lines.some((l) => line.test(l.slice(result.file.length + 2))),
    result.stderr,
  ).toBe(true);
}

// Each case starts the CLI (a few seconds each on a busy machine).
describe("hostile campaign files", { timeout: 120_000 }, () => {
  it("deep nesting, in flow and in block style", async () => {
    expectRefused(
      await importOf("deep-flow.yaml", `units: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`),
      /^line 1: nested more than 64 levels deep$/,
    );
    const block = Array.from({ length: 2_000 }, (_, i) => `${" ".repeat(i)}- `).join("\n");
    expectRefused(
      await importOf("deep-block.yaml", `units:\n${block}x\n`),
      /^line \d+: nested more than 64 levels deep$/,
    );
  });

  it("an alias bomb (billion laughs)", async () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    expectRefused(
      await importOf("bomb.yaml", `${levels.join("\n")}\nunits: *i\n`),
      /^\(top\): aliases expand too much \(more than 100 uses of anchored content\)$/,
    );
  });

  it("wrong types anywhere", async () => {
    expectRefused(
      await importOf("types.yaml", "units: 5\nquestionnaire: [1, 2]\ncampaign: x\nvisits: {a: 1}\n"),
      /^units: Invalid input: expected array, received number$/,
    );
    const wrong = await importOf(
      "types-deep.yaml",
      edited((doc) => {
        doc.questionnaire.areas[0].criteria[0].maxPoints = "1";
        doc.questionnaire.areas[1].criteria = { a: 1 };
        doc.questionnaire.areas[2].criteria[0].questions[0].scoring = [1];
        doc.questionnaire.version = 3_000_000_000; // does not fit an INT column
        doc.units[0].aliases = [["nested"]];
        doc.visits = [{ unit: "song-ma", startsAt: 20190315, place: ["x"] }];
      }),
    );
    expectRefused(wrong, /^questionnaire\.version: Too big: expected number to be <=2147483647$/);
    expectRefused(wrong, /^questionnaire\.areas\[0\]\.criteria\[0\]\.maxPoints: Invalid input: expected number/);
    expectRefused(wrong, /^visits\[0\]\.startsAt: Invalid input: expected string, received number$/);
  });

  it("text a database would refuse, or too long to show", async () => {
    const result = await importOf(
      "text.yaml",
      edited((doc) => {
        doc.units[0].name = "Ủy ban\u0000nhân dân";
        doc.units[1].name = "x".repeat(100_000);
      }),
    );
    expectRefused(result, /^units\[0\]\.name: contains a NUL character$/);
    expectRefused(result, /^units\[1\]\.name: Too big: expected string to have <=2000 characters$/);
  });

  it("thousands of problems are cut short", async () => {
    const units = Array.from({ length: 5_000 }, () => ({ code: "Bad Code" }));
    const result = await importOf("many.yaml", stringify({ units }));
    expectRefused(result, /^units\[0\]\.code: lower-case letters, digits and dashes$/);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.at(-1)).toMatch(/^.+: and \d+ more problems$/);
  });

  it("a huge file, a device, a binary file", async () => {
    expectRefused(
      await importOf("huge.yaml", `units: []\n# ${"x".repeat(11 * 1024 * 1024)}\n`),
      /^\(top\): the file is larger than 10 MB$/,
    );
    const device = await runCli(["import", "/dev/zero"], { DATABASE_URL: database.url });
    expectRefused({ ...device, file: "/dev/zero" }, /^\(top\): not a regular file$/);
    expectRefused(
      await importOf("binary.yaml", Buffer.from([0x75, 0x6e, 0x69, 0x74, 0x73, 0x3a, 0x20, 0xff, 0xfe, 0x0a])),
      /^\(top\): not UTF-8 text$/,
    );
  });

  it("imported nothing from any of them", async () => {
    expect(await database.db.unit.count()).toBe(0);
    expect(await database.db.questionnaire.count()).toBe(0);
    // A named pipe that never ends is not read either.
    const fifo = join(tmp, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    const result = await runCli(["import", fifo], { DATABASE_URL: database.url });
    expectRefused({ ...result, file: fifo }, /^\(top\): not a regular file$/);
  });
});
