"""The technician menu: a hidden gesture, a PIN, and pages over the kiosk's services."""
