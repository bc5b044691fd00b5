"""The ticket-status page that a ticket's QR code opens: small, mobile, live.

The first answer already holds the state (it works without script); a small
script then follows `/t/{id}/events` (server-sent events) and updates the page
without a reload. No personal data: number, queue, people ahead, the call.

Every text is shown in both languages at once ("状态 / Status"), worded by the
catalog's [status_page] (config/texts.toml).
"""

from __future__ import annotations

import json
from html import escape

from kiosk.hall.api import TicketPublicOut
from kiosk.settings import Settings
from kiosk.text import Text, text, text_table

_SCRIPT = """
const texts = %(texts)s;
const callText = %(call)s;
function show(state) {
  const t = texts[state.status] || [state.status, state.status];
  document.getElementById("status").textContent = t[0] + " / " + t[1];
  document.getElementById("ahead").textContent = String(state.people_ahead);
  document.getElementById("wait").textContent = String(state.estimated_wait_minutes);
  const call = document.getElementById("call");
  if (state.status === "called" && state.window !== null) {
    const at = String(state.window);
    call.textContent = callText.map((side) => side.split("{window}").join(at)).join(" / ");
    call.hidden = false;
  } else {
    call.hidden = true;
  }
  document.body.dataset.status = state.status;
  document.body.dataset.window = state.window === null ? "" : String(state.window);
}
function follow() {
  const source = new EventSource(location.pathname.replace(/\\/$/, "") + "/events");
  source.addEventListener("state", (event) => show(JSON.parse(event.data)));
  source.onopen = () => { document.body.dataset.live = "yes"; };
  source.onerror = () => { document.body.dataset.live = "no"; };
}
follow();
"""


def both(shown: Text) -> str:
    """A text in both languages at once, as the page and the not-found page show it."""
    return f"{shown.zh} / {shown.en}"


def status_page_html(state: TicketPublicOut, settings: Settings) -> str:
    states = {
        name: [shown.zh, shown.en] for name, shown in text_table("status_page.states").items()
    }
    zh, en = states.get(state.status, (state.status, state.status))
    called = state.status == "called" and state.window is not None
    go_to = text("status_page.go_to_window")
    call_text = both(go_to.format(window=state.window)) if called else ""
    script = _SCRIPT % {
        "texts": json.dumps(states, ensure_ascii=False),
        "call": json.dumps([go_to.zh, go_to.en], ensure_ascii=False),
    }
    minutes = text("status_page.estimated_wait")
    wait = f"{minutes.zh}/ {minutes.en}"  # the closing ） already spaces it in Chinese
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(state.number)} · {escape(settings.hall.name_zh)}</title>
<style>
body {{ font-family: sans-serif; margin: 0; padding: 1.2em; background: #f4f6f8; color: #17212b; }}
h1 {{ font-size: 1.05em; font-weight: normal; margin: 0 0 .8em; }}
.number {{ font-size: 3.4em; font-weight: bold; margin: .2em 0; letter-spacing: .05em; }}
.card {{ background: #fff; border-radius: .8em; padding: 1em 1.2em; margin-bottom: 1em; }}
.row {{ display: flex; justify-content: space-between; margin: .4em 0; }}
#call {{ background: #0b6e4f; color: #fff; font-size: 1.4em; padding: .8em; border-radius: .6em; }}
</style>
</head>
<body data-status="{escape(state.status)}" data-window="{state.window or ""}" data-live="no">
<h1>{escape(settings.hall.name_zh)}<br>{escape(settings.hall.name_en)}</h1>
<div class="card">
  <div>{escape(both(text("status_page.your_number")))}</div>
  <div class="number" id="number">{escape(state.number)}</div>
  <div>{escape(state.queue_name_zh)} / {escape(state.queue_name_en)}</div>
</div>
<div id="call" {"" if called else "hidden"}>{escape(call_text)}</div>
<div class="card">
  <div class="row"><span>{escape(both(text("status_page.status")))}</span>
    <span id="status">{escape(zh)} / {escape(en)}</span></div>
  <div class="row"><span>{escape(both(text("status_page.people_ahead")))}</span>
    <span id="ahead">{state.people_ahead}</span></div>
  <div class="row"><span>{escape(wait)}</span>
    <span id="wait">{state.estimated_wait_minutes}</span></div>
</div>
<script>{script}</script>
</body>
</html>
"""
