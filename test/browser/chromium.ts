/**
 * The system Chromium for page tests (Debian's `chromium` package: browsers cannot be
 * downloaded here, so playwright-core drives the one installed). CHROMIUM_PATH overrides
 * /usr/bin/chromium. Without it a developer's run skips the browser tests, saying so; CI
 * (CI=true) fails instead, since there they must run.
 */
import { accessSync, constants } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { describe, it } from "vitest";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const MISSING =
  `Chromium is not at ${CHROMIUM_PATH}: install Debian's package (apt-get update && ` +
  "apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable";

const underCi = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
let warned = false;

/**
 * `describe` when Chromium is there. Without it: under CI one failing test that says what is
 * missing; elsewhere the suite is skipped and the reason printed.
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (executable(CHROMIUM_PATH)) {
    describe(name, body);
  } else if (underCi) {
    describe(name, () => {
      it("needs Chromium", () => {
        throw new Error(`${MISSING} (CI=true, so the browser tests must run)`);
      });
    });
  } else {
    if (!warned) console.warn(`\n[browser tests skipped] ${MISSING}.\n`);
    warned = true;
    describe.skip(name, body);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Running as root in a container: Chromium's sandbox needs user namespaces it may not have.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
