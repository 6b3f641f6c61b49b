-- CreateTable
CREATE TABLE "FileObject" (
    "key" TEXT NOT NULL,
    "size" INTEGER NOT NULL DEFAULT 0,
    "sha256" TEXT NOT NULL DEFAULT '',
    "chunkSize" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "FileObject_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "FileChunk" (
    "objectKey" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "FileChunk_pkey" PRIMARY KEY ("objectKey","seq")
);

-- CreateIndex
CREATE INDEX "FileObject_completedAt_createdAt_idx" ON "FileObject"("completedAt", "createdAt");

-- AddForeignKey
ALTER TABLE "FileChunk" ADD CONSTRAINT "FileChunk_objectKey_fkey" FOREIGN KEY ("objectKey") REFERENCES "FileObject"("key") ON DELETE CASCADE ON UPDATE CASCADE;
