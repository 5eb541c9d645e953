-- A post of a whole pending transfer writes no postings of its own (issue 14, point 5: a leaner ledger for the
-- common case). Its movement is exactly its pending transfer's postings, moved from pending to posted on the same
-- accounts, so copying them (three rows and three key entries per purchase) recorded nothing new. A post in part
-- still writes its own postings, which say what it moved; so do the posts written before this migration, which
-- read false here (ADD COLUMN … DEFAULT false rewrites no row, and history stays untouched).
ALTER TABLE ledger.transfers
    ADD COLUMN posts_in_full boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT only_a_post_posts_in_full CHECK (NOT posts_in_full OR kind = 'post');
