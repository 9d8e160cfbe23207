-- Rate-limit counters are per-minute and disposable: no WAL for them, so the one statement a request costs does not
-- wait for a WAL flush at commit. After a crash (or on a standby) the table is empty, which only starts a new window.
ALTER TABLE "rate_limit_counters" SET UNLOGGED;
