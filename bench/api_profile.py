"""In-process look at one get-user-calls request (or its DRF peer's, --drf) against the database `bench/api.py` loaded:
queries per request (with SQL), mean time per request, cProfile's top functions, EXPLAIN ANALYZE.

    .venv/bin/python bench/api_profile.py [--requests 300] [--profile] [--explain]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import api  # noqa: E402  (bench/api.py)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--top", type=int, default=45, help="functions listed by cumulative and by own time")
    parser.add_argument("--bare", action="store_true", help="the bare endpoint instead, for comparison")
    parser.add_argument("--drf", action="store_true", help="the DRF ListAPIView peer (bench/api_urls.py) instead")
    parser.add_argument("--db-name", default=api.DB_NAME)
    args = parser.parse_args()
    api.DB_NAME = args.db_name
    api._django(f"{api.BASE_URL}/{api.DB_NAME}")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    key = api._fresh_key()
    paths = api._variants(200, 1)
    if args.bare:
        paths = ["/bench/bare"]
    if args.drf:
        paths = [api._drf_path(p) for p in paths]
    client = Client()

    def one(i: int):
        response = client.get(paths[i % len(paths)], HTTP_TOKEN=key, REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.content[:300]
        return response

    for i in range(20):
        one(i)
    statements = []

    def record(execute, sql, params, many, context):
        # The prepared statements bind on the server, so Django's query log has no SQL for them.
        statements.append(connection.ops.compose_sql(sql, params))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(record):
        one(0)
    print(f"{len(queries.captured_queries)} queries per request:")
    for q, sql in zip(queries.captured_queries, statements):
        print(f"  [{q['time']}s] {sql[:400]}")
    if args.explain:
        with connection.cursor() as cursor:
            sql = max(statements, key=len)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(row[0] for row in cursor.fetchall()))
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(args.requests):
        one(i)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU time of this process is the figure that other load on the machine disturbs least.
    print(f"{args.requests} requests in-process: {elapsed / args.requests * 1000:.2f} ms each (wall), "
          f"{cpu / args.requests * 1000:.2f} ms CPU of the Django process each")
    if args.profile:
        # CPU time, not wall time: waiting for PostgreSQL is PostgreSQL's cost, counted apart.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for i in range(args.requests):
            one(i)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
