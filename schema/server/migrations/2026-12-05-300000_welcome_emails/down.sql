DROP TABLE welcome_emails;
