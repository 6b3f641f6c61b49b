-- CreateEnum
CREATE TYPE "AppraisalCursorMode" AS ENUM ('APPRAISE', 'COMMENT', 'EXPLAIN');

-- CreateTable
CREATE TABLE "AppraisalCursor" (
    "personId" INTEGER NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "mode" "AppraisalCursorMode" NOT NULL,
    "round" INTEGER,
    "pendingScore" DOUBLE PRECISION,
    "version" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppraisalCursor_pkey" PRIMARY KEY ("personId")
);

-- AddForeignKey
ALTER TABLE "AppraisalCursor" ADD CONSTRAINT "AppraisalCursor_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
