"""The hall's screens, served as web pages: the calling display (`/display`) with its
voice, the window screens (`/display/window/{n}`) and the taxpayer's phone page
(`/t/{id}`, routes/status_page.py). The hall server serves them on its store; a kiosk
with the embedded hall serves the same app on its own queue file (embedded.py).

source.py    what the pages read: the queue and the event stream, either hall
calls.py     the display's state and its calls, as the pages get them
routes.py    the routes, and `install_screens` that puts them on an app
pages.py     the HTML of the display and window screen (static/: script, style)
texts.py     the pages' words, zh and en
embedded.py  the kiosk's own server of these pages (screens.serve)
snapshots.py headless Chromium screenshots of the pages (the demo)

Public within the hall, no token: the pages show ticket numbers, queues, windows and
waiting figures only, never who holds a number.
"""
