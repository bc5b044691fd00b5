"""Device drivers and emulators. Pure Python: never imports Qt."""
