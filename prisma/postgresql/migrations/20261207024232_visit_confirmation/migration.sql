-- CreateEnum
CREATE TYPE "VisitRequestStatus" AS ENUM ('OPEN', 'ACCEPTED', 'DECLINED');

-- CreateEnum
CREATE TYPE "VisitCursorMode" AS ENUM ('REQUEST_REASON', 'DECLINE_REASON', 'REPORT');

-- AlterTable
ALTER TABLE "Evidence" ADD COLUMN     "visitId" INTEGER,
ALTER COLUMN "questionId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "InspectionVisit" ADD COLUMN     "confirmedAt" TIMESTAMP(3),
ADD COLUMN     "confirmedById" INTEGER;

-- CreateTable
CREATE TABLE "VisitRequest" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "visitId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "proposedAt" TIMESTAMP(3),
    "status" "VisitRequestStatus" NOT NULL DEFAULT 'OPEN',
    "byId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "answeredById" INTEGER,
    "answeredAt" TIMESTAMP(3),
    "answerNote" TEXT,

    CONSTRAINT "VisitRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VisitCursor" (
    "personId" INTEGER NOT NULL,
    "mode" "VisitCursorMode" NOT NULL,
    "visitId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "requestId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VisitCursor_pkey" PRIMARY KEY ("personId")
);

-- CreateIndex
CREATE INDEX "VisitRequest_visitId_status_idx" ON "VisitRequest"("visitId", "status");

-- CreateIndex
CREATE INDEX "VisitRequest_campaignId_status_idx" ON "VisitRequest"("campaignId", "status");

-- CreateIndex
CREATE INDEX "Evidence_visitId_idx" ON "Evidence"("visitId");

-- AddForeignKey
ALTER TABLE "Evidence" ADD CONSTRAINT "Evidence_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionVisit" ADD CONSTRAINT "InspectionVisit_confirmedById_fkey" FOREIGN KEY ("confirmedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitRequest" ADD CONSTRAINT "VisitRequest_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitRequest" ADD CONSTRAINT "VisitRequest_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitRequest" ADD CONSTRAINT "VisitRequest_answeredById_fkey" FOREIGN KEY ("answeredById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitCursor" ADD CONSTRAINT "VisitCursor_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
