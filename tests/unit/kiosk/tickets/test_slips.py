"""The ticket as printed: language, layout from the settings, labels from the text catalog,
logo, paper width."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image

from drivers.printer.document import ImageBlock, PrintDocument, TextBlock
from drivers.printer.escpos import render
from drivers.printer.profiles import PROFILES
from drivers.printer.text import wrap
from drivers.sim.escpos_parser import EscPosParser
from drivers.sim.slip import Item, TextLine
from kiosk.line_breaks import keep_words
from kiosk.settings import ConfigError, load_settings
from kiosk.text import default_texts, install_texts
from kiosk.tickets import TicketService, windows_text
from kiosk.triage import route_visit
from tests.helpers.fakes import make_settings
from tests.helpers.tickets import Parts


def test_the_english_ticket_is_in_english(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0102")], parts.settings)
    ticket = parts.service.issue(route, "en")
    assert ticket.number == "A001"
    texts = "\n".join(parts.printer.texts())
    assert "Comprehensive windows  Windows 2-6" in texts
    assert "Proof of the change (1 copy)" in texts
    assert "Estimated wait: none" in texts
    assert not any(
        "\u4e00" <= char <= "\u9fff" for char in texts.replace(parts.settings.hall.name_zh, "")
    )


def test_windows_text(parts: Parts) -> None:
    assert windows_text(parts.settings.queue("green")).get("zh") == "1号窗口"
    assert windows_text(parts.settings.queue("comprehensive")).get("en") == "Windows 2-6"


def test_windows_text_lists_windows_that_are_not_a_range(parts: Parts) -> None:
    queue = parts.settings.queue("comprehensive").model_copy(update={"windows": (1, 3)})
    assert windows_text(queue).zh == "1、3号窗口"
    assert windows_text(queue).en == "Windows 1, 3"


def test_layout_order_from_the_settings_labels_as_the_hall_words_them(tmp_path: Path) -> None:
    parts = Parts(tmp_path)
    settings = make_settings(tmp_path, ticket={"layout": ["number", "number_caption", "qr"]})
    wording, problems = default_texts().reworded(
        {"ticket": {"number": {"zh": "号码", "en": "Number"}}}
    )
    assert problems == []
    service = TicketService(settings, parts.catalog, parts.hall, parts.journal, parts.printer)
    install_texts(wording)  # after the service was made: the label is read when printed
    try:
        service.issue(route_visit([parts.catalog.matter("M0201")], settings), "zh")
    finally:
        install_texts(None)
    blocks = parts.printer.documents[-1].blocks
    assert [type(block).__name__ for block in blocks] == ["TextBlock", "TextBlock", "QrBlock"]
    assert parts.printer.texts() == ["G001", "号码"]
    parts.close()


def test_a_machine_file_still_rewording_ticket_labels_is_told_where_they_went(
    tmp_path: Path,
) -> None:
    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        '[ticket.texts]\nnumber = { zh = "号码", en = "Number" }\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as error:
        load_settings(machine)
    [problem] = error.value.problems
    assert (problem.file, problem.key) == (str(machine), "ticket")
    assert "no longer a ticket setting" in problem.reason
    assert "ui.texts_file" in problem.reason


@pytest.mark.parametrize(
    ("ticket", "message"),
    [
        ({"layout": ["number", "barcode"]}, "unknown block(s) 'barcode'"),
        ({"layout": ["hall_name", "qr"]}, "a ticket must print its number"),
        ({"texts": {"number": {"zh": "号码", "en": "No."}}}, "no longer a ticket setting"),
    ],
)
def test_a_bad_layout_is_named_in_the_settings_check(
    tmp_path: Path, ticket: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        make_settings(tmp_path, ticket=ticket)
    assert message in str(error.value)


def test_the_same_ticket_reflows_for_58_mm_paper(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0801")], parts.settings)
    parts.service.issue(route, "zh")
    slip = parts.printer.documents[-1]
    narrow, wide = PROFILES["generic58"], PROFILES["generic80"]
    assert len(render(slip, narrow).data) > 0
    for text in parts.printer.texts():
        for line in wrap(text, narrow.columns):
            assert len(line.encode("gb18030")) <= narrow.columns
    assert render(slip, narrow).data.count(b"\n") > render(slip, wide).data.count(b"\n")


def test_the_hall_logo_heads_the_ticket_and_its_path_is_relative_to_the_file(
    tmp_path: Path,
) -> None:
    Image.new("L", (120, 40), 0).save(tmp_path / "logo.png")
    machine = tmp_path / "kiosk.toml"
    machine.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[ticket]\nlogo = "logo.png"\n',
        encoding="utf-8",
    )
    settings = load_settings(machine)
    parts = Parts(tmp_path / "parts")
    service = TicketService(settings, parts.catalog, parts.hall, parts.journal, parts.printer)
    service.issue(route_visit([parts.catalog.matter("M0201")], settings), "zh")
    first = parts.printer.documents[-1].blocks[0]
    assert first == ImageBlock(str(tmp_path / "logo.png"))
    rendered = render(parts.printer.documents[-1], PROFILES["generic80"]).data
    assert b"\x1dv0" in rendered  # GS v 0: the logo goes out as a raster image
    parts.close()


def test_without_a_logo_the_ticket_starts_with_the_hall_name(parts: Parts) -> None:
    parts.service.issue(route_visit([parts.catalog.matter("M0201")], parts.settings), "zh")
    first = parts.printer.documents[-1].blocks[0]
    assert isinstance(first, TextBlock)
    assert first.text == keep_words(parts.settings.hall.name_zh)


# ---- the slip as the printer reads it (the emulator's parser) -------------------------------


def printed_lines(document: PrintDocument, profile: str = "generic80") -> list[TextLine]:
    """The text lines of `document` as the emulated printer lays them out."""
    slips: list[list[Item]] = []
    parser = EscPosParser(
        PROFILES[profile],
        on_status=lambda request: None,
        on_slip=lambda raw, items: slips.append(items),
    )
    parser.feed(render(document, PROFILES[profile]).data)
    if not slips:  # a printer without a cutter: the slip is torn off by hand
        slips.append(parser.tear_off()[1])
    [items] = slips
    return [item for item in items if isinstance(item, TextLine)]


def texts_of(lines: list[TextLine]) -> list[str]:
    return [line.text.rstrip() for line in lines]


def test_nobody_ahead_is_said_in_the_screens_words(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0201")], parts.settings)
    parts.service.issue(route, "zh")
    assert "前面无人等候" in texts_of(printed_lines(parts.printer.documents[-1]))
    parts.service.issue(route, "zh")
    assert "前面等候 1 人" in texts_of(printed_lines(parts.printer.documents[-1]))
    parts.service.issue(route, "en")
    assert "2 people ahead" in texts_of(printed_lines(parts.printer.documents[-1]))


def test_the_window_line_is_double_width_and_height_and_the_area_follows(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0102")], parts.settings)
    parts.service.issue(route, "zh")
    lines = printed_lines(parts.printer.documents[-1])
    [where] = [line for line in lines if "2-6号窗口" in line.text]
    assert where.text.strip() == "综合窗口  2-6号窗口"
    assert {(glyph.width, glyph.height) for glyph in where.glyphs} == {(2, 2)}
    area = parts.settings.queue("comprehensive").area_zh
    assert area
    assert area in texts_of(lines)[texts_of(lines).index(where.text.rstrip()) + 1]


def test_the_english_ticket_lists_matters_and_documents_as_the_chinese_does(
    parts: Parts,
) -> None:
    route = route_visit([parts.catalog.matter("M0102")], parts.settings)
    parts.service.issue(route, "en")
    shown = texts_of(printed_lines(parts.printer.documents[-1]))
    matters = [line for line in shown if line.startswith("Matters")]
    assert matters == ["Matters: " + parts.catalog.matter("M0102").name.en]
    assert any(line.startswith("□ ") for line in shown)
    assert not any("[ ]" in line for line in shown)


def test_58_mm_paper_keeps_words_whole_and_indents_wrapped_documents(parts: Parts) -> None:
    route = route_visit([parts.catalog.matter("M0102")], parts.settings)
    parts.service.issue(route, "zh")
    lines = texts_of(printed_lines(parts.printer.documents[-1], "generic58"))
    hall = parts.settings.hall.name_zh
    assert lines[0] + lines[1] == hall  # two lines, broken between words
    assert lines[1] == "办税服务厅"  # not "厅" alone
    assert lines.index("综合窗口") + 1 == lines.index("2-6号窗口")  # between name and windows
    documents = lines[lines.index("请准备以下材料（一次性告知）：") + 1 :]
    wrapped = [
        (first, following)
        for first, following in itertools.pairwise(documents)
        if first.startswith("□ ") and not following.startswith("□ ") and following.strip()
    ]
    assert wrapped  # a document line too long for 58 mm paper
    for _, following in wrapped:
        assert following.startswith("   ")  # under the name, not under the box
        assert following[3] != " "
