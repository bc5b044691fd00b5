"""PySide6 touchscreen UI of the hall kiosk: thin views over the kiosk/ services."""
