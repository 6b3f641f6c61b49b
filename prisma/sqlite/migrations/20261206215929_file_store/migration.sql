-- CreateTable
CREATE TABLE "FileObject" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "size" INTEGER NOT NULL DEFAULT 0,
    "sha256" TEXT NOT NULL DEFAULT '',
    "chunkSize" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME
);

-- CreateTable
CREATE TABLE "FileChunk" (
    "objectKey" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BLOB NOT NULL,

    PRIMARY KEY ("objectKey", "seq"),
    CONSTRAINT "FileChunk_objectKey_fkey" FOREIGN KEY ("objectKey") REFERENCES "FileObject" ("key") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "FileObject_completedAt_createdAt_idx" ON "FileObject"("completedAt", "createdAt");
