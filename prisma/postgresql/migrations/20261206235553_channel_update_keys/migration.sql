-- Inbound updates are keyed by channel ("tg:<update_id>", "zalo:<event>:<message_id>"),
-- the Telegram ids already recorded keep their meaning under the "tg:" key.

-- CreateTable
CREATE TABLE "ChatMenu" (
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "lastMessageId" INTEGER NOT NULL DEFAULT 0,
    "menuMessageId" INTEGER,
    "items" TEXT NOT NULL DEFAULT '[]',
    "text" TEXT NOT NULL DEFAULT '',
    "shownAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatMenu_pkey" PRIMARY KEY ("channel","chatId")
);

-- AlterTable: PendingUpdate
ALTER TABLE "PendingUpdate" ADD COLUMN "key" TEXT, ADD COLUMN "channel" TEXT NOT NULL DEFAULT 'telegram';
UPDATE "PendingUpdate" SET "key" = 'tg:' || "updateId"::TEXT;
ALTER TABLE "PendingUpdate" DROP CONSTRAINT "PendingUpdate_pkey", DROP COLUMN "updateId";
ALTER TABLE "PendingUpdate" ALTER COLUMN "key" SET NOT NULL, ADD CONSTRAINT "PendingUpdate_pkey" PRIMARY KEY ("key");
CREATE INDEX "PendingUpdate_receivedAt_idx" ON "PendingUpdate"("receivedAt");

-- AlterTable: ProcessedUpdate
ALTER TABLE "ProcessedUpdate" ADD COLUMN "key" TEXT;
UPDATE "ProcessedUpdate" SET "key" = 'tg:' || "updateId"::TEXT;
ALTER TABLE "ProcessedUpdate" DROP CONSTRAINT "ProcessedUpdate_pkey", DROP COLUMN "updateId";
ALTER TABLE "ProcessedUpdate" ALTER COLUMN "key" SET NOT NULL, ADD CONSTRAINT "ProcessedUpdate_pkey" PRIMARY KEY ("key");
