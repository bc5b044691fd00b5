"""Device emulators on pseudo-terminals, TCP ports and an emulated USB bus (a pyusb back
end), for tests and for running the kiosk without hardware."""
