"""The hall server's routes, one module per area; kiosk.hall.server.app assembles them."""
