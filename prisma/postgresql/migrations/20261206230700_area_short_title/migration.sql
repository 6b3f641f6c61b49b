-- AlterTable
ALTER TABLE "ReformArea" ADD COLUMN "shortTitle" TEXT;
