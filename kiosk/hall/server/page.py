"""The ticket-status page that a ticket's QR code opens: small, mobile, live.

The first answer already holds the state (it works without script); a small
script then follows `/t/{id}/events` (server-sent events) and updates the page
without a reload: people ahead and the estimate, "your turn is near" at
`screens.near_ahead` people ahead (with a sound and a vibration where the phone's
browser allows them), then the window when called. After the service, the evaluation step
(kiosk/hall/server/phone_evaluation.py: the levels, and the 差评 reasons after a
不满意 or 非常不满意 from the keypad or the phone). No personal data: number, queue,
people ahead, the call.

Every text is shown in both languages at once ("状态 / Status"), or in one with
`?lang=zh` / `?lang=en`; the catalog's [status_page] (config/texts.toml) words them,
the page's own few below.
"""

from __future__ import annotations

import json
from html import escape
from typing import Annotated, Literal

from fastapi import Query

from kiosk.hall.api import TicketPublicOut
from kiosk.hall.server.phone_evaluation import (
    EVALUATION_STYLE,
    evaluation_script,
    evaluation_section,
)
from kiosk.settings import Settings
from kiosk.text import Text, text, text_table

PageLanguage = Annotated[Literal["zh", "en"] | None, Query()]

# The page's own words (the catalog holds the ones a hall rewords most).
PHONE_TEXTS = {
    "near": Text(
        zh="快到您了，请到窗口附近等候", en="Your turn is near: please wait near the windows"
    ),
    "alerts": Text(zh="开启提醒（声音、振动）", en="Turn on alerts (sound, vibration)"),
    "language": Text(zh="English", en="中文"),
}

_SCRIPT = """
const texts = %(texts)s;
const callText = %(call)s;
const page = %(page)s;
function side(pair) {
  return page.lang === "zh" ? pair[0] : page.lang === "en" ? pair[1] : pair[0] + " / " + pair[1];
}
let alerted = {};
function alert(what) {
  if (alerted[what]) return;
  alerted[what] = true;
  if (navigator.vibrate) navigator.vibrate(what === "called" ? [300, 150, 300] : [200]);
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    tone.frequency.value = what === "called" ? 880 : 660;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  } catch (error) { /* no sound here: the page still says it */ }
}
function show(state) {
  const t = texts[state.status] || [state.status, state.status];
  document.getElementById("status").textContent = side(t);
  document.getElementById("ahead").textContent = String(state.people_ahead);
  document.getElementById("wait").textContent = String(state.estimated_wait_minutes);
  const call = document.getElementById("call");
  const called = state.status === "called" && state.window !== null;
  if (called) {
    const at = String(state.window);
    call.textContent = side(callText.map((text) => text.split("{window}").join(at)));
    call.hidden = false;
    alert("called");
  } else {
    call.hidden = true;
  }
  const waiting = state.status === "waiting" || state.status === "reserved";
  const near = waiting && state.people_ahead <= page.near_ahead;
  document.getElementById("near").hidden = !near;
  if (near) alert("near");
  document.getElementById("evaluation").hidden = state.status !== "finished";
  if (state.status === "finished") evaluationStart();
  if (state.status === "finished" || state.status === "void") {
    stream.close();  // nothing more will change
    document.getElementById("alerts").hidden = true;
  }
  document.body.dataset.status = state.status;
  document.body.dataset.near = near ? "yes" : "no";
  document.body.dataset.window = state.window === null ? "" : String(state.window);
}
const stream = new EventSource(location.pathname.replace(/\\/$/, "") + "/events");
function follow() {
  stream.addEventListener("state", (event) => show(JSON.parse(event.data)));
  stream.onopen = () => { document.body.dataset.live = "yes"; };
  stream.onerror = () => { document.body.dataset.live = "no"; };
}
document.getElementById("alerts").onclick = (event) => {
  event.target.hidden = true;  // a tap lets the browser play the sounds later
  alert("test");
};
%(evaluation)s
follow();
"""


def both(shown: Text) -> str:
    """A text in both languages at once, as the page and the not-found page show it."""
    return f"{shown.zh} / {shown.en}"


def _in(language: Literal["zh", "en"] | None, shown: Text) -> str:
    return both(shown) if language is None else shown.get(language)


def _switch(language: Literal["zh", "en"] | None) -> str:
    """A link to the page in the other language (from both: to English)."""
    target: Literal["zh", "en"] = "zh" if language == "en" else "en"
    label = PHONE_TEXTS["language"].get("en" if target == "zh" else "zh")
    return f'<a id="language" href="?lang={target}">{escape(label)}</a>'


def status_page_html(
    state: TicketPublicOut, settings: Settings, language: Literal["zh", "en"] | None = None
) -> str:
    def say(shown: Text) -> str:
        return escape(_in(language, shown))

    states = {
        name: [shown.zh, shown.en] for name, shown in text_table("status_page.states").items()
    }
    zh, en = states.get(state.status, (state.status, state.status))
    called = state.status == "called" and state.window is not None
    go_to = text("status_page.go_to_window")
    call_text = say(go_to.format(window=state.window)) if called else ""
    near_ahead = settings.screens.near_ahead
    waiting = state.status in ("waiting", "reserved")
    near = waiting and state.people_ahead <= near_ahead
    final = state.status in ("finished", "void")  # no alert will come
    script = _SCRIPT % {
        "texts": json.dumps(states, ensure_ascii=False),
        "call": json.dumps([go_to.zh, go_to.en], ensure_ascii=False),
        "page": json.dumps({"lang": language, "near_ahead": near_ahead}),
        "evaluation": evaluation_script(settings.evaluation.prompt_seconds),
    }
    minutes = text("status_page.estimated_wait")
    wait = (
        f"{minutes.zh}/ {minutes.en}"  # the closing ） already spaces it in Chinese
        if language is None
        else minutes.get(language)
    )
    queue = {"zh": state.queue_name_zh, "en": state.queue_name_en}
    queue_name = (
        f"{state.queue_name_zh} / {state.queue_name_en}" if language is None else queue[language]
    )
    hall = {"zh": settings.hall.name_zh, "en": settings.hall.name_en}
    hall_name = (
        f"{escape(hall['zh'])}<br>{escape(hall['en'])}"
        if language is None
        else escape(hall[language])
    )
    return f"""<!doctype html>
<html lang="{"en" if language == "en" else "zh-CN"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(state.number)} · {escape(hall["en" if language == "en" else "zh"])}</title>
<style>
body {{ font-family: sans-serif; margin: 0; padding: 1.2em; background: #f4f6f8; color: #17212b; }}
h1 {{ font-size: 1.05em; font-weight: normal; margin: 0 0 .8em; }}
.number {{ font-size: 3.4em; font-weight: bold; margin: .2em 0; letter-spacing: .05em; }}
.card {{ background: #fff; border-radius: .8em; padding: 1em 1.2em; margin-bottom: 1em; }}
.row {{ display: flex; justify-content: space-between; margin: .4em 0; gap: 1em; }}
#call {{ background: #0b6e4f; color: #fff; font-size: 1.4em; padding: .8em; border-radius: .6em;
  margin-bottom: 1em; }}
#near {{ background: #ffd54a; font-size: 1.15em; padding: .8em; border-radius: .6em;
  margin-bottom: 1em; }}
#alerts {{ width: 100%; padding: .8em; font-size: 1em; border: 1px solid #9aa7b3;
  border-radius: .6em; background: #fff; }}
#language {{ float: right; color: #0b5cab; }}
{EVALUATION_STYLE}</style>
</head>
<body data-status="{escape(state.status)}" data-window="{state.window or ""}" data-live="no"
 data-near="{"yes" if near else "no"}">
{_switch(language)}
<h1>{hall_name}</h1>
<div class="card">
  <div>{say(text("status_page.your_number"))}</div>
  <div class="number" id="number">{escape(state.number)}</div>
  <div>{escape(queue_name)}</div>
</div>
<div id="call" {"" if called else "hidden"}>{call_text}</div>
<div id="near" {"" if near else "hidden"}>{say(PHONE_TEXTS["near"])}</div>
<div class="card">
  <div class="row"><span>{say(text("status_page.status"))}</span>
    <span id="status">{escape(_in(language, Text(zh=zh, en=en)))}</span></div>
  <div class="row"><span>{say(text("status_page.people_ahead"))}</span>
    <span id="ahead">{state.people_ahead}</span></div>
  <div class="row"><span>{escape(wait)}</span>
    <span id="wait">{state.estimated_wait_minutes}</span></div>
</div>
{evaluation_section(language, state.status == "finished")}
<button id="alerts" type="button" {"hidden" if final else ""}>{say(PHONE_TEXTS["alerts"])}</button>
<script>{script}</script>
</body>
</html>
"""
