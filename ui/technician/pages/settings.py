"""The Settings page: the machine file's sections, one card per field, saved with a check."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk.config_store import (
    ConfigRefused,
    FieldSpec,
    SectionSpec,
    coerce,
    settings_sections,
    settings_value,
)
from kiosk.text import Text
from ui.technician import texts
from ui.technician.editors import FieldEditor, editor_for
from ui.technician.pages.base import MenuContext, Page
from ui.widgets import TextLabel, TouchButton, card_frame

SECTION_COLUMNS = 2


def field_title(spec: FieldSpec) -> Text:
    """The field's title in the menu's language; in English with its dotted key (the
    machine file's name for it), never in Chinese."""
    title = texts.FIELD_TITLES.get(spec.key)
    if title is None:  # a field without a Chinese title (a test catches it): English
        return Text(zh=spec.title, en=f"{spec.title}  ({spec.key})")
    return Text(zh=title.zh, en=f"{title.en}  ({spec.key})")


def field_help(spec: FieldSpec) -> Text:
    found = texts.FIELD_HELP.get(spec.key)
    if found is not None:
        return found
    return Text(zh="", en=spec.description or "")  # no English help in Chinese mode


class SettingsPage(Page):
    key = "settings"

    def __init__(self, context: MenuContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.sections = [s for s in settings_sections() if any(f.editable for f in s.fields)]
        self.section: SectionSpec = self.sections[0]
        self.editors: dict[str, FieldEditor] = {}
        self.section_buttons: dict[str, TouchButton] = {}
        self.save_button = self.add_button(texts.SAVE, self.save, "primary")

    def refresh(self) -> None:
        self.show_section(self.section.name)

    def choose_section(self, name: str) -> None:
        """The section shown next (an unknown name keeps the current one)."""
        self.section = next((s for s in self.sections if s.name == name), self.section)

    def show_section(self, name: str) -> None:
        self.section = next(s for s in self.sections if s.name == name)
        self.clear_body()
        self.editors = {}
        grid = QGridLayout()
        grid.setSpacing(12)
        self.section_buttons = {}
        for index, section in enumerate(self.sections):
            button = TouchButton(texts.SECTION_NAMES.get(section.name, section.name))
            button.setCheckable(True)
            button.setChecked(section.name == name)
            button.clicked.connect(lambda _=False, n=section.name: self.show_section(n))
            # Two a row: three clipped the longer Chinese names (导税规则, 评价器与呼叫).
            grid.addWidget(button, index // SECTION_COLUMNS, index % SECTION_COLUMNS)
            self.section_buttons[section.name] = button
        self.body.addLayout(grid)
        try:
            settings = self.context.store.settings()
        except Exception:  # a broken machine file: show what the kiosk runs with
            settings = self.kiosk.settings
        for spec in self.section.fields:
            self.body.addWidget(self._field_card(spec, settings_value(settings, spec.key)))
        self.body.addStretch(1)
        self.follow_language()

    def _field_card(self, spec: FieldSpec, value: Any) -> QWidget:
        card = card_frame()
        column = QVBoxLayout(card)
        column.setContentsMargins(24, 16, 24, 16)
        column.setSpacing(8)
        column.addWidget(TextLabel(field_title(spec), "subtitle"))
        help_text = field_help(spec)
        if help_text.zh or help_text.en:
            column.addWidget(TextLabel(help_text, "muted"))
        if spec.limits_text():
            column.addWidget(
                TextLabel(texts.fill(texts.LIMITS, limits=spec.limits_text()), "muted")
            )
        editor = editor_for(spec, value, self.context.ask_text)
        self.editors[spec.key] = editor
        column.addWidget(editor)
        return card

    def changes(self) -> dict[str, Any]:
        result = {}
        for key, editor in self.editors.items():
            if editor.is_changed():
                result[key] = editor.value()
        return result

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.say(texts.NOTHING_CHANGED)
            return
        try:
            coerced = {key: coerce(self.editors[key].spec, value) for key, value in changes.items()}
        except ValueError as error:
            self.say(texts.fill(texts.REFUSED, reason=str(error)))
            return
        try:
            saved = self.context.store.save(coerced)
        except ConfigRefused as refused:
            reason = "; ".join(
                f"{problem.key}: {problem.reason}" if problem.key else problem.reason
                for problem in refused.problems
            )
            self.context.audit.record("setting_refused", keys=sorted(coerced), reason=reason)
            self.say(texts.fill(texts.REFUSED, reason=reason))
            return
        except OSError as error:
            self.say(texts.fill(texts.REFUSED, reason=str(error)))
            return
        for change in saved:
            self.context.audit.changed(change.key, change.old, change.new)
        self.say(texts.fill(texts.SAVED, count=len(saved)))
        self.show_section(self.section.name)
