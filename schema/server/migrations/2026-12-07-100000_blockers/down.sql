DROP TABLE blockers;
