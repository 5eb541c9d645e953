-- Postings are no longer indexed by account (issue 14, point 5: no index that every step has to update). A purchase
-- writes six postings (its pending transfer's three legs and the post's three), and every one of them added an
-- entry to postings_by_account, always on the same few hot accounts (the client's receivable, the vendor's float,
-- the revenue), so always on the same rightmost leaf pages, which each booking batch then held while it wrote.
-- Nothing reads postings by account on a request's path: balances are kept on the account rows, the support
-- story and the settlement file read postings by their transfer (the primary key), and the only reader of the
-- index, the balance check of ledger.invariant_violations (`transact verify`), now sums all postings in one
-- grouped pass, which for a whole-ledger check is also cheaper than one index scan per account.
DROP INDEX ledger.postings_by_account;
