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
    "shownAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("channel", "chatId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PendingUpdate" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL DEFAULT 'telegram',
    "body" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "claimedAt" DATETIME
);
INSERT INTO "new_PendingUpdate" ("key", "channel", "body", "claimedAt", "receivedAt") SELECT 'tg:' || CAST("updateId" AS TEXT), 'telegram', "body", "claimedAt", "receivedAt" FROM "PendingUpdate";
DROP TABLE "PendingUpdate";
ALTER TABLE "new_PendingUpdate" RENAME TO "PendingUpdate";
CREATE INDEX "PendingUpdate_receivedAt_idx" ON "PendingUpdate"("receivedAt");
CREATE TABLE "new_ProcessedUpdate" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_ProcessedUpdate" ("key", "createdAt") SELECT 'tg:' || CAST("updateId" AS TEXT), "createdAt" FROM "ProcessedUpdate";
DROP TABLE "ProcessedUpdate";
ALTER TABLE "new_ProcessedUpdate" RENAME TO "ProcessedUpdate";
CREATE INDEX "ProcessedUpdate_createdAt_idx" ON "ProcessedUpdate"("createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
