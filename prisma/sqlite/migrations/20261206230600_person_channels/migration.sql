/*
  Warnings:

  - You are about to drop the column `telegramId` on the `Person` table. All the data in the column will be lost.
  - You are about to drop the column `unreachable` on the `Person` table. All the data in the column will be lost.

*/
-- CreateTable
CREATE TABLE "PersonChannel" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "linkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unreachable" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "PersonChannel_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Every existing person keeps their Telegram account (and whether it could be reached)
-- as a channel row, before the columns go.
INSERT INTO "PersonChannel" ("personId", "channel", "externalId", "chatId", "linkedAt", "lastSeenAt", "unreachable")
SELECT "id", 'telegram', CAST("telegramId" AS TEXT), CAST("telegramId" AS TEXT), "createdAt", "lastSeenAt", "unreachable"
FROM "Person";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Person" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "displayName" TEXT NOT NULL,
    "username" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'vi',
    "preferredChannel" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Person" ("createdAt", "displayName", "id", "lastSeenAt", "locale", "username") SELECT "createdAt", "displayName", "id", "lastSeenAt", "locale", "username" FROM "Person";
DROP TABLE "Person";
ALTER TABLE "new_Person" RENAME TO "Person";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "PersonChannel_personId_idx" ON "PersonChannel"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "PersonChannel_channel_externalId_key" ON "PersonChannel"("channel", "externalId");
