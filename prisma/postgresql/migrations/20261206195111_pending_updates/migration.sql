-- CreateTable
CREATE TABLE "PendingUpdate" (
    "updateId" BIGINT NOT NULL,
    "body" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "claimedAt" TIMESTAMP(3),

    CONSTRAINT "PendingUpdate_pkey" PRIMARY KEY ("updateId")
);

-- Notices that failed before the sender kept error codes only may hold the request URL of a
-- network error, bot token included: keep the code, drop the rest.
UPDATE "Notice" SET "lastError" = 'network: unknown' WHERE "lastError" LIKE 'network:%' AND "lastError" LIKE '%/bot%';
