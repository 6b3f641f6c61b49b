-- AlterTable
ALTER TABLE "InspectionVisit" ADD COLUMN "importedContents" TEXT;
ALTER TABLE "InspectionVisit" ADD COLUMN "importedPlace" TEXT;
ALTER TABLE "InspectionVisit" ADD COLUMN "importedStartsAt" DATETIME;
