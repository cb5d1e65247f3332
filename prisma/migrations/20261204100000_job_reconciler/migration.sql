-- The job reconciler (src/jobs/job-reconciler.ts). rearms: how many times it republished a job
-- whose delivery was lost (its budget is the job's max_attempts; retryJob resets it). msg_id: the
-- message a delivery must carry to run the job, once republished (an older message is superseded
-- and acknowledged without work); NULL accepts the first message.
ALTER TABLE "job" ADD COLUMN "rearms" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "job" ADD COLUMN "msg_id" TEXT;

-- The reconciler and the stalled-jobs gauge look for unfinished jobs by their last progress.
CREATE INDEX "job_unfinished_updated_at_idx" ON "job"("kind", "updated_at") WHERE "status" IN ('PENDING', 'PROCESSING');
