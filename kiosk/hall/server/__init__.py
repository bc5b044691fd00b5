"""The reference hall server: `kiosk hall serve`, or in-process for tests and benchmarks.

    from kiosk.hall.server.runner import start_in_thread
    from kiosk.hall.server.tokens import create_token

    token = create_token(location, "K01", settings)    # shown once; stored hashed
    running = start_in_thread(location, settings)      # 127.0.0.1, a free port
    ...
    running.stop()

`location` is a SQLite file or a postgresql:// URL (`store.Location`).
Import from the modules: this package imports nothing, so that the token commands
and the rest of the kiosk do not load the web framework (only app, runner and
routes do).
"""
