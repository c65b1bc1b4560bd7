-- pgbench script: a feature write shaped as the store sends it (the row's update, then further
-- round trips for the version row, the audit row and the index upkeep, stood in for by
-- `SELECT 1`) on a random cluster among the generated ones. With 16 clients it shows whether writers of different features wait for
-- one another: the change serial's row lock is what they would share.
--
--   pgbench -n -c 16 -j 2 -T 20 -D maxid=100000 -f benches/write-contention.sql "$DATABASE"
\set id random(1, :maxid)
BEGIN;
UPDATE clusters SET notes = 'bench', version = version + 1 WHERE id = :id;
SELECT 1;
SELECT 1;
SELECT 1;
COMMIT;
