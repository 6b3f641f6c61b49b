-- CreateEnum
CREATE TYPE "NoDate" AS ENUM ('NOT_ISSUED', 'NOT_SENT');

-- CreateEnum
CREATE TYPE "NotApplicable" AS ENUM ('EXCLUDED', 'SCORED');

-- AlterTable
ALTER TABLE "Question" ADD COLUMN     "appliesTo" JSONB,
ADD COLUMN     "countMax" INTEGER,
ADD COLUMN     "countOf" TEXT,
ADD COLUMN     "noDate" "NoDate",
ADD COLUMN     "notApplicable" "NotApplicable";
