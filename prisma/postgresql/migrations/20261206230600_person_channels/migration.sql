-- A person's accounts move to PersonChannel (one row per chat channel), and every existing
-- person keeps their Telegram account, and whether it could be reached, before the
-- columns go.

-- CreateTable
CREATE TABLE "PersonChannel" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unreachable" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "PersonChannel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PersonChannel_personId_idx" ON "PersonChannel"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "PersonChannel_channel_externalId_key" ON "PersonChannel"("channel", "externalId");

-- AddForeignKey
ALTER TABLE "PersonChannel" ADD CONSTRAINT "PersonChannel_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CopyData
INSERT INTO "PersonChannel" ("personId", "channel", "externalId", "chatId", "linkedAt", "lastSeenAt", "unreachable")
SELECT "id", 'telegram', "telegramId"::TEXT, "telegramId"::TEXT, "createdAt", "lastSeenAt", "unreachable"
FROM "Person";

-- DropIndex
DROP INDEX "Person_telegramId_key";

-- AlterTable
ALTER TABLE "Person" DROP COLUMN "telegramId",
DROP COLUMN "unreachable",
ADD COLUMN     "preferredChannel" TEXT;
