-- Where a neighbourhood comes from: 'cbs' = the data built into the binary (rewritten at start
-- whenever it changes), 'import' = buurten loaded with `wijkwijzer geo import` (kept across
-- starts and added to the built-in data).
alter table neighbourhood add column source text not null default 'cbs';
