"""The phone page's evaluation step (好差评, channel QR code): once the service is
finished, the page reads `/t/{id}/evaluation` and shows what fits.

- Not evaluated yet (the keypad did not vote): the five levels. 非常满意, 满意 and
  基本满意 are sent at once; 不满意 and 非常不满意 lead to the reasons.
- A 差评 without content (from the keypad, or just picked on the phone): the hall's
  reasons (config/evaluation_reasons.toml), one or more, and an optional note, sent
  together in one POST.
- Evaluated: thanks (for a 差评: it will be followed up).

While no vote is known the page asks again every few seconds, as long as the window's
keypad may still take one (`evaluation.prompt_seconds`, and a margin), so that a vote
on the keypad turns the page to the reasons without a tap. A server
that keeps no evaluations (a kiosk's embedded hall) answers 404: the page then only
thanks the taxpayer. Everything is in the page itself (no CDN), in both languages or
the one of `?lang=`.
"""

from __future__ import annotations

import json
from html import escape
from typing import Literal

from kiosk.text import Text, text

Language = Literal["zh", "en"] | None

# 1..5 as the keypads and the national system number them.
LEVEL_KEYS = (
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "very_dissatisfied",
)
NEGATIVE = 4
POLL_SECONDS = 3
POLL_MARGIN_SECONDS = 30  # the keypad's report and the kiosk's upload of its vote

EVALUATION_TEXTS = {
    "thanks_waiting": Text(zh="感谢您的耐心等候。", en="Thank you for waiting."),
    "ask": Text(zh="请对本次服务进行评价", en="Please rate this service"),
    "reasons": Text(zh="请选择不满意的原因（可多选）", en="What went wrong? Choose one or more."),
    "note": Text(zh="其他意见（选填）", en="Anything else (optional)"),
    "note_hint": Text(
        zh="请勿填写身份证号、手机号等个人信息", en="Please leave out ID and phone numbers"
    ),
    "send": Text(zh="提交评价", en="Send"),
    "sending": Text(zh="正在提交…", en="Sending..."),
    "pick_one": Text(zh="请至少选择一项原因", en="Please choose at least one reason"),
    "failed": Text(zh="提交未成功，请重试", en="Not sent, please try again"),
    "done": Text(zh="感谢您的评价！", en="Thank you for your rating!"),
    "noted": Text(
        zh="感谢您的反馈，我们将按规定时限回访整改。",
        en="Thank you. We will follow this up and put it right within the set time.",
    ),
}


def _pairs() -> dict[str, list[str]]:
    pairs = {key: [shown.zh, shown.en] for key, shown in EVALUATION_TEXTS.items()}
    for number, key in enumerate(LEVEL_KEYS, start=1):
        label = text(f"keypad.{key}")
        pairs[f"level_{number}"] = [label.zh, label.en]
    return pairs


def _say(language: Language, shown: Text) -> str:
    return escape(f"{shown.zh} / {shown.en}" if language is None else shown.get(language))


def evaluation_section(language: Language, finished: bool) -> str:
    """The step's place in the page: filled by the script from the server's answer."""
    texts = EVALUATION_TEXTS
    return f"""<section id="evaluation" data-slot="evaluation" {"" if finished else "hidden"}>
  <div class="card" data-step="waiting">{_say(language, texts["thanks_waiting"])}</div>
  <div class="card" data-step="levels" hidden>
    <h2>{_say(language, texts["ask"])}</h2><div id="levels"></div>
  </div>
  <form class="card" id="content" data-step="reasons" hidden>
    <h2>{_say(language, texts["reasons"])}</h2>
    <div id="reasons"></div>
    <label for="note">{_say(language, texts["note"])}</label>
    <textarea id="note" maxlength="500" rows="3"
     placeholder="{_say(language, texts["note_hint"])}"></textarea>
    <div id="evaluation-message" role="alert" hidden></div>
    <button id="send" type="submit">{_say(language, texts["send"])}</button>
  </form>
  <div class="card" data-step="done" hidden>{_say(language, texts["done"])}</div>
  <div class="card" data-step="noted" hidden>{_say(language, texts["noted"])}</div>
</section>"""


EVALUATION_STYLE = """
#evaluation h2 { font-size: 1.05em; margin: 0 0 .7em; }
#levels button { display: block; width: 100%; margin: .45em 0; padding: .75em; font-size: 1em;
  border: 1px solid #9aa7b3; border-radius: .6em; background: #fff; color: #17212b; }
#levels button[data-level="4"], #levels button[data-level="5"] { border-color: #c0392b; }
#reasons label { display: flex; gap: .6em; align-items: center; padding: .5em 0;
  border-bottom: 1px solid #eef1f4; }
#reasons input { width: 1.3em; height: 1.3em; flex: none; }
#content textarea { width: 100%; box-sizing: border-box; margin: .4em 0 .8em; font-size: 1em; }
#content label[for="note"] { display: block; margin-top: .8em; }
#send { width: 100%; padding: .8em; font-size: 1.05em; border: 0; border-radius: .6em;
  background: #0b5cab; color: #fff; }
#evaluation-message { color: #c0392b; margin: .4em 0; }
"""

_SCRIPT = """
const evaluationTexts = %(texts)s;
const evaluationPath = location.pathname.replace(/\\/$/, "") + "/evaluation";
const evaluation = {started: false, level: null, until: 0, timer: null, reasons: false};
function say(key) { return side(evaluationTexts[key]); }
function evaluationStep(step) {
  document.body.dataset.evaluation = step;
  for (const part of document.querySelectorAll("#evaluation [data-step]")) {
    part.hidden = part.dataset.step !== step;
  }
}
function evaluationMessage(key) {
  const message = document.getElementById("evaluation-message");
  message.hidden = !key;
  message.textContent = key ? say(key) : "";
}
function evaluationReasons(reasons) {
  if (evaluation.reasons) return;
  evaluation.reasons = true;
  const list = document.getElementById("reasons");
  for (const reason of reasons) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = reason.code;
    box.name = "reason";
    const name = document.createElement("span");
    name.textContent = side([reason.name.zh, reason.name.en]);
    label.append(box, name);
    list.append(label);
  }
}
function evaluationLater() {
  clearTimeout(evaluation.timer);
  if (Date.now() < evaluation.until) {
    evaluation.timer = setTimeout(evaluationLoad, %(poll_ms)d);
  }
}
function evaluationShow(state) {
  evaluationReasons(state.reasons);
  if (state.wants_content) {
    evaluation.level = null;  // counted already (the keypad's vote): only the reasons
    evaluationStep("reasons");
  } else if (state.level === null) {
    if (evaluation.level === null) {
      evaluationStep("levels");
      evaluationLater();  // a vote on the window's keypad may still come
    }
  } else {
    evaluationStep(state.level >= %(negative)d ? "noted" : "done");
  }
}
async function evaluationLoad() {
  let answer;
  try {
    answer = await fetch(evaluationPath, {cache: "no-store"});
  } catch (error) {
    evaluationLater();
    return;
  }
  if (answer.status === 404) return;  // no evaluations kept here: thanks only
  if (!answer.ok) { evaluationLater(); return; }
  evaluationShow(await answer.json());
}
function evaluationStart() {
  if (evaluation.started) return;
  evaluation.started = true;
  evaluation.until = Date.now() + %(poll_for_ms)d;
  const levels = document.getElementById("levels");
  for (let level = 1; level <= 5; level++) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.level = String(level);
    button.textContent = say("level_" + level);
    button.onclick = () => evaluationPick(level);
    levels.append(button);
  }
  evaluationLoad();
}
function evaluationPick(level) {
  clearTimeout(evaluation.timer);
  evaluation.level = level;
  if (level >= %(negative)d) {
    evaluationMessage(null);
    evaluationStep("reasons");
  } else {
    evaluationSend({level: level, reasons: [], note: ""});
  }
}
async function evaluationSend(body) {
  const send = document.getElementById("send");
  send.disabled = true;
  let answer;
  try {
    answer = await fetch(evaluationPath, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body),
    });
  } catch (error) {
    answer = null;
  }
  send.disabled = false;
  if (answer && answer.ok) {
    evaluation.level = null;
    evaluationShow(await answer.json());
  } else if (answer && answer.status === 409) {
    evaluation.level = null;  // voted meanwhile (the keypad): the step the server says
    evaluationLoad();
  } else {
    evaluationMessage("failed");
  }
}
document.getElementById("content").onsubmit = (event) => {
  event.preventDefault();
  const reasons = [...document.querySelectorAll("#reasons input:checked")].map((b) => b.value);
  if (reasons.length === 0) { evaluationMessage("pick_one"); return; }
  evaluationMessage(null);
  const body = {reasons: reasons, note: document.getElementById("note").value};
  if (evaluation.level !== null) body.level = evaluation.level;
  evaluationSend(body);
};
"""


def evaluation_script(prompt_seconds: float) -> str:
    """The step's script; it uses the page's `side` and is started by `evaluationStart`.
    It asks for a keypad's vote while a keypad prompt may last (`prompt_seconds`)."""
    return _SCRIPT % {
        "poll_for_ms": int((prompt_seconds + POLL_MARGIN_SECONDS) * 1000),
        # Inside <script>: "</" would end the element.
        "texts": json.dumps(_pairs(), ensure_ascii=False).replace("</", "<\\/"),
        "poll_ms": POLL_SECONDS * 1000,
        "negative": NEGATIVE,
    }
