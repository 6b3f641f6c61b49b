-- AlterTable
ALTER TABLE "Invite" ADD COLUMN     "revokedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "InviteAttempt" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InviteAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InviteAttempt_personId_createdAt_idx" ON "InviteAttempt"("personId", "createdAt");

-- AddForeignKey
ALTER TABLE "InviteAttempt" ADD CONSTRAINT "InviteAttempt_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
