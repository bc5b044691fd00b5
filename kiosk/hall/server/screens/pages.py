"""The HTML of the calling display and the window screen: one template (static/), the
state the page starts from as JSON, and the scripts that follow the event stream."""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from kiosk.hall.server.screens.texts import TEXTS, table
from kiosk.settings import Settings

STATIC = files("kiosk.hall.server.screens") / "static"
STATIC_PATH = "/display/static"

_DISPLAY_MAIN = """<main>
  <section class="now">
    <div class="label">{now_calling}</div>
    <div id="latest-number" class="number">—</div>
    <div id="latest-window" class="window"></div>
    <div id="latest-text" class="sentence"></div>
  </section>
  <aside>
    <h2>{recent}</h2>
    <table id="recent"><tbody></tbody></table>
  </aside>
</main>
<section class="queues"><h2>{queues}</h2><div id="queues"></div></section>
<footer><div id="announcement"></div></footer>"""

# The staff line shows the staff number signed in at the window (on its keypad or from
# the dashboard); hidden while nobody is.
_WINDOW_MAIN = """<main>
  <section class="now">
    <div class="label" id="window-name">{window_name}</div>
    <div class="label">{serving}</div>
    <div id="serving-number" class="number">—</div>
    <div id="serving-state" class="sentence"></div>
    <div id="staff" class="staff" data-slot="staff" hidden></div>
  </section>
</main>"""


def _both(key: str, **values: Any) -> str:
    text = TEXTS[key].format(**values)
    return f'{escape(text.zh)}<span class="en">{escape(text.en)}</span>'


def _json(data: Any) -> str:
    # Inside <script>: "</" would end the element.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _page(settings: Settings, page: str, main: str, script: str, boot: dict[str, Any]) -> str:
    template = Template(STATIC.joinpath("display.html").read_text(encoding="utf-8"))
    screens = settings.screens
    return template.substitute(
        title=escape(f"{TEXTS['title'].zh} · {settings.hall.name_zh}"),
        static=STATIC_PATH,
        page=page,
        hall_zh=escape(settings.hall.name_zh),
        hall_en=escape(settings.hall.name_en),
        main=main,
        script=script,
        boot=_json(
            {
                "texts": table(),
                "timezone": settings.kiosk.timezone,
                "voice": screens.voice,
                "text_call_seconds": screens.text_call_seconds,
                "announcement_seconds": screens.announcement_seconds,
                "announcements": [[line.zh, line.en] for line in screens.announcements],
                **boot,
            }
        ),
    )


def display_html(settings: Settings, state: dict[str, Any], events: str, now: str) -> str:
    main = _DISPLAY_MAIN.format(
        now_calling=_both("now_calling"), recent=_both("recent"), queues=_both("queues")
    )
    boot = {"state": state, "events": events, "server_time": now}
    return _page(settings, "display", main, "display.js", boot)


def window_html(
    settings: Settings, window: int, state: dict[str, Any], events: str, now: str
) -> str:
    main = _WINDOW_MAIN.format(
        window_name=_both("window_n", window=window), serving=_both("serving")
    )
    boot = {"state": state, "events": events, "server_time": now, "window": window}
    return _page(settings, "window-screen", main, "display.js", boot)
