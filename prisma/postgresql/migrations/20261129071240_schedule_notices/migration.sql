-- DropIndex
DROP INDEX "Notice_recipientId_idx";

-- AlterTable
ALTER TABLE "InspectionVisit" ADD COLUMN     "cancelReason" TEXT,
ADD COLUMN     "cancelledAt" TIMESTAMP(3),
ADD COLUMN     "createdById" INTEGER,
ADD COLUMN     "key" TEXT,
ADD COLUMN     "revisedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Notice" ADD COLUMN     "nextAttemptAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "NoticePacer" (
    "key" TEXT NOT NULL,
    "nextAt" BIGINT NOT NULL,

    CONSTRAINT "NoticePacer_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ScheduleDraft" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScheduleDraft_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScheduleDraft_personId_idx" ON "ScheduleDraft"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionVisit_campaignId_key_key" ON "InspectionVisit"("campaignId", "key");

-- CreateIndex
CREATE INDEX "Notice_recipientId_status_idx" ON "Notice"("recipientId", "status");

-- AddForeignKey
ALTER TABLE "InspectionVisit" ADD CONSTRAINT "InspectionVisit_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

