-- Provisioned concurrency across a cluster. A worker's heartbeat reports its provisioned copies as a JSON object
-- (environment key -> {"ready": copies live and ready, "idle": those idle now, "failure": why a copy could not be
-- made, or null}). A concurrency lease taken on provisioned concurrency names the environment key whose copies it
-- runs on; the others leave it null.
ALTER TABLE workers ADD COLUMN provisioned_copies TEXT NOT NULL DEFAULT '{}';
ALTER TABLE concurrency_leases ADD COLUMN provisioned_key TEXT;
