-- Retention (JOB_RETENTION_DAYS): find old finished jobs without scanning the live ones.
CREATE INDEX "job_succeeded_finished_at_idx" ON "job"("finished_at") WHERE "status" = 'SUCCEEDED';

-- An outbox row belongs to the job in payload.jobId: retention, retryJob and the republish SQL
-- look rows up by it.
CREATE INDEX "outbox_message_job_id_idx" ON "outbox_message"(("payload"->>'jobId'));
