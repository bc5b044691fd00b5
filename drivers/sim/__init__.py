"""Device emulators on pseudo-terminals and TCP ports, for tests and for running the kiosk
without hardware."""
