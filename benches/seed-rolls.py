#!/usr/bin/env python3
"""Writes N rolls of one campaign straight into Core's database, for the page benchmark.

Usage: seed-rolls.py sqlite|postgres DATABASE_URL USER_ID CAMPAIGN_ID N
Each row holds a valid stored `Roll` document, as Core itself would write it.
"""
import json
import sqlite3
import subprocess
import sys
import uuid

backend, url, user_id, campaign_id, count = sys.argv[1:6]
count = int(count)

if backend == "postgres":
    # One INSERT ... SELECT over generate_series: the server builds every row itself.
    sql = f"""
    INSERT INTO rolls (id, source, user_id, campaign_id, private, document,
                       d20_count, d20_sum, nat20s, nat1s, rolled_at)
    SELECT id, 'api', '{user_id}', '{campaign_id}', false,
           json_build_object('id', id, 'source', 'api', 'actor', json_build_object('name', 'seed'),
                             'campaign_id', '{campaign_id}', 'expression', '1d20',
                             'total', face, 'rolled', json_build_object('sides', 20, 'results', json_build_array(face)),
                             'private', false, 'rolled_at', '2026-11-25T20:00:00Z',
                             'recorded_at', '2026-11-25T20:00:00Z')::text,
           1, face, (face = 20)::int, (face = 1)::int, 1764100800000
    FROM (SELECT gen_random_uuid()::text AS id, 1 + (n % 20) AS face
          FROM generate_series(1, {count}) AS n) AS seeds
    """
    subprocess.run(["psql", url, "-qc", sql], check=True)
else:
    db = sqlite3.connect(url)
    def rows():
        for n in range(count):
            roll_id = str(uuid.uuid4())
            face = 1 + n % 20
            document = json.dumps({
                "id": roll_id, "source": "api", "actor": {"name": "seed"},
                "campaign_id": campaign_id, "expression": "1d20", "total": face,
                "rolled": {"sides": 20, "results": [face]}, "private": False,
                "rolled_at": "2026-11-25T20:00:00Z", "recorded_at": "2026-11-25T20:00:00Z",
            })
            yield (roll_id, user_id, campaign_id, document, face, int(face == 20), int(face == 1))
    with db:
        db.executemany(
            "INSERT INTO rolls (id, source, user_id, campaign_id, private, document, "
            "d20_count, d20_sum, nat20s, nat1s, rolled_at) "
            "VALUES (?, 'api', ?, ?, 0, ?, 1, ?, ?, ?, 1764100800000)",
            rows(),
        )
    # One transaction of 1M rows leaves them all in the WAL, where every page read has to
    # be looked up until a later write restarts the log; a live Core checkpoints every
    # 1000 pages. Copy them into the database file and empty the WAL, as Core would have.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
print(f"seeded {count} rolls")
