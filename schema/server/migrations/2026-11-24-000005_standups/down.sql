DROP TABLE answer_edits;
DROP TABLE answers;
DROP TABLE participations;
DROP TABLE standups;
