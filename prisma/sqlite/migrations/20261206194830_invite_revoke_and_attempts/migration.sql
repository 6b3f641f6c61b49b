-- AlterTable
ALTER TABLE "Invite" ADD COLUMN "revokedAt" DATETIME;

-- CreateTable
CREATE TABLE "InviteAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "InviteAttempt_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "InviteAttempt_personId_createdAt_idx" ON "InviteAttempt"("personId", "createdAt");
