-- CreateTable
CREATE TABLE "PendingUpdate" (
    "updateId" BIGINT NOT NULL PRIMARY KEY,
    "body" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "claimedAt" DATETIME
);

-- Notices that failed before the sender kept error codes only may hold the request URL of a
-- network error, bot token included: keep the code, drop the rest.
UPDATE "Notice" SET "lastError" = 'network: unknown' WHERE "lastError" LIKE 'network:%' AND "lastError" LIKE '%/bot%';
