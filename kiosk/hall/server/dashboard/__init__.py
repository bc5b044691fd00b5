"""The manager's dashboard of the hall server (`/dashboard`), behind an admin login.

- schema: its tables (admins, sessions, lock-outs) and the chart indexes, a part of
  HALL_SERVER_PARTS; loads nothing but the queue's migrations.
- accounts: password hashes, sessions with a CSRF token, the lock-out.
- queries: every SQL statement the dashboard reads (the one module to re-point when
  typed tables for calls and evaluations land).
- history, exports: periods, charts' figures, CSV and XLSX.
- routes, page, static/: the web side (ECharts vendored by tools/vendor-echarts.sh).
"""
