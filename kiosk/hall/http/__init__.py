"""The kiosk as a client of a hall server (kiosk/hall/api.py), online or not.

client.py        HttpHall, the HallBackend the kiosk uses
wire.py          one authenticated call, timeouts, what a failure means
link_file.py     the kiosk's SQLite file: leases, its tickets, the clock offset
numbering.py     numbers while offline, from leased blocks or the own range
deliveries.py    outbox batches; commits and voids retried until taken
lost_reservations.py  reservations whose reply was lost, voided once it answers
event_stream.py  the server's event stream, read on a thread
report.py        `kiosk hall status`
"""

from kiosk.hall.http.client import HttpHall
from kiosk.hall.http.report import hall_link_report
from kiosk.hall.http.wire import ConnectionTest

__all__ = ["ConnectionTest", "HttpHall", "hall_link_report"]
