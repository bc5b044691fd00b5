"""Device emulators on pseudo-terminals, for tests and for running the kiosk without hardware."""
