"""Domain core of the hall kiosk. Pure Python: never imports Qt."""
