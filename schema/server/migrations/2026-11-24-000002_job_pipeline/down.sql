DROP TABLE password_resets;
DROP TABLE failed_jobs;
DROP TABLE processed_jobs;
