-- AlterTable
ALTER TABLE "Question" ADD COLUMN "appliesTo" JSONB;
ALTER TABLE "Question" ADD COLUMN "countMax" INTEGER;
ALTER TABLE "Question" ADD COLUMN "countOf" TEXT;
ALTER TABLE "Question" ADD COLUMN "noDate" TEXT;
ALTER TABLE "Question" ADD COLUMN "notApplicable" TEXT;
