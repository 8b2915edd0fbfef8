"""The API's routes, one module per resource.

A route is ``async def``, answered on the event loop, when its queries read through an index a
page of rows or the rows of a window of steps; it is a plain ``def``, answered in a worker
thread, when it may scan (text search, a whole cascade, the feed log, an export, the dashboard's
aggregates). On the loop a read of a committed SQLite file takes tens of microseconds, less than
a hop to a worker thread and back; and beside a run that keeps a core busy, each hop waits for
the scheduler: measured with ``python -m bench.api_load --live`` on this project's 2-core
machine, routes in worker threads answered at p99 in 180-210 ms, the same routes on the loop in
about 60 ms. A window of many steps does hold the loop while it is read, once per commit (the
response cache keeps the answer, and requests for it meanwhile wait for that one read). On
PostgreSQL each query holds the loop for its round trip to the server: fine on one machine or a
fast network; a database far away wants more API processes (not measured here).
"""
