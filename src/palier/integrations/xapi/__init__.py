"""xAPI learning records: statements about tests, answers, training plans and certificates,
stored in an outbox in the learner's transaction and sent to a Learning Record Store by a
background task (docs/integrations.md, "Learning records (xAPI)")."""
