-- Who judged: the reviewer's public pseudonym (``reviewer-…``, the one declarations' reviews use),
-- never their identity. Judgements recorded before this column existed named no reviewer: ''.
ALTER TABLE registry_judgement ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
