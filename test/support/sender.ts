/** The real notice sender with test settings: fast, no per-chat pacing, the harness's clock. */
import type { Api } from "grammy";
import pino from "pino";
import { NoticeSender, type SenderOptions } from "../../src/jobs/sender.ts";
import type { Harness } from "./harness.ts";

const silent = pino({ level: process.env.TEST_LOG ? "debug" : "silent" });

export function testSender(h: Harness, api: Api, options: Partial<SenderOptions> = {}): NoticeSender {
  return new NoticeSender({
    db: h.db,
    api,
    i18n: h.i18n,
    logger: silent,
    timeZone: h.config.TZ,
    coordinatorIds: h.config.COORDINATOR_IDS,
    now: h.clock.now,
    ratePerSecond: 200,
    perChatIntervalMs: 0,
    backoffBaseMs: 1000,
    pollMs: 50,
    ...options,
  });
}
