from __future__ import annotations
import pytest
from test_ui_technician import WITH_PIN, PIN, corner_taps, enter_pin, tech, qtwait_jobs, demo_kiosk  # noqa
from ui.main_window import KioskWindow
from ui.automation import settle


@WITH_PIN
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_shots(window: KioskWindow, size) -> None:
    window.resize(*size)
    corner_taps(window)
    enter_pin(window, PIN)
    c = tech(window)
    for page in c.menu.pages:
        c.menu.show_page(page)
        qtwait_jobs(c)
        settle()
        window.grab().save(f"/tmp/fx/tech-{size[0]}-{page}.png")
