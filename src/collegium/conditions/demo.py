"""Condition reports for the demo: a realistic handful at Sormovo Machine Works, through
the services (so each step is on the record), with photos drawn by Pillow.

* awaiting confirmation: Anna's report of a gas smell at the annealing furnace (a photo);
* confirmed and overdue: foul air at the drop hammers, no remedy within the charter's 14
  days (the next sweep passes it to the Metalworkers' Union's board);
* remedy promised with materials (floors of the plan): the Forge's ventilation, two photos;
* remedy promised and past its date: the Foundry's lighting;
* fixed and confirmed by the reporter: no hot water in the Forge's wash room;
* escalated twice by the boards (works, then union): the Assembly hall's roof, now
  overdue at the congress's board, where no sweep can move it higher;
* where the housing register has a dwelling kept by Sormovo: damp and mould in it,
  confirmed (the housing need score counts it).

``demo_conditions(now)`` is called once by the demo builder, after the boards are seated.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from collegium.conditions import services as s
from collegium.conditions.services import MaterialLine
from collegium.conditions.uploads import Upload
from collegium.federation.models import Body, Member


def _photo(seed: int, kind: str, label: str) -> Upload:
    """A plausible photo: a wall with damp patches, a smoky hall, a dark corridor …"""
    rng = random.Random(seed)
    width, height = 960, 720
    base = {
        "damp": (176, 170, 150),
        "smoke": (90, 84, 80),
        "dark": (40, 38, 36),
        "water": (200, 205, 210),
        "roof": (120, 118, 110),
    }[kind]
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 6):  # uneven light from above
        shade = int(40 * (1 - y / height))
        draw.line([(0, y), (width, y)], fill=tuple(min(255, c + shade) for c in base), width=6)
    if kind in ("damp", "roof"):
        for _ in range(28):
            x, y, r = (
                rng.randrange(width),
                rng.randrange(height // 2, height),
                rng.randrange(20, 90),
            )
            draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(70, 80, 55))
    if kind == "smoke":
        for _ in range(40):
            x, y, r = rng.randrange(width), rng.randrange(height // 2), rng.randrange(40, 140)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(150, 146, 140))
        draw.rectangle([380, 420, 580, 720], fill=(30, 30, 30))  # the hammer
    if kind == "dark":
        draw.ellipse([420, 30, 540, 90], fill=(120, 110, 60))  # one weak lamp
    if kind == "water":
        for x in range(120, 900, 180):
            draw.rectangle([x, 300, x + 90, 380], fill=(235, 235, 235), outline=(120, 120, 120))
            draw.line([(x + 45, 250), (x + 45, 300)], fill=(90, 90, 90), width=8)
    image = image.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, height - 60, 20 + 12 * len(label), height - 20], fill=(0, 0, 0))
    draw.text((30, height - 52), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return Upload(f"{label.lower().replace(' ', '-')}.jpg", "image/jpeg", buffer.getvalue())


def _co_workers(shop: Body, exclude: list[Member], n: int) -> list[Member]:
    return list(
        Member.objects.filter(workplace=shop, active=True, user__isnull=False)
        .exclude(pk__in=[m.pk for m in exclude])
        .order_by("member_no")[:n]
    )


def _confirm(report: Any, members: list[Member], when: dt.datetime) -> Any:
    for i, member in enumerate(members):
        report = s.report_confirm(
            user=member.user, report=report, now=when + dt.timedelta(minutes=17 * i)
        )
        if report.state != "awaiting":
            break
    return report


def _board_user(body: Body, prefer: Member | None = None) -> Any:
    from collegium.elections.selectors import board_seats

    seats = list(board_seats(body))
    if prefer is not None and any(seat.holder_id == prefer.pk for seat in seats):
        return prefer.user
    return seats[0].holder.user


def demo_conditions(now: dt.datetime) -> None:
    day = dt.timedelta(days=1)
    anna = Member.objects.get(member_no="M00001")
    ivan = Member.objects.get(member_no="M00002")
    forge = Body.objects.get(code="sormovo-2")
    foundry = Body.objects.get(code="sormovo-1")
    assembly = Body.objects.get(code="sormovo-4")
    sormovo = Body.objects.get(code="sormovo")
    board = _board_user(sormovo, prefer=ivan)
    forge_mates = _co_workers(forge, [anna, ivan], 6)

    # Fixed and confirmed: the wash room's hot water, six weeks ago.
    water = s.report_submit(
        user=anna.user,
        body=forge,
        location="Wash room by gate 2",
        hazard="sanitation",
        severity=2,
        people_affected=85,
        title="No hot water in the Forge's wash room",
        description="The boiler for the wash room has been cold for ten days. After a shift "
        "at the hammers we wash in cold water or go home covered in scale and soot.",
        photos=[_photo(1, "water", "Wash room, gate 2")],
        now=now - 44 * day,
    )
    water = _confirm(water, forge_mates[:2], now - 43 * day)
    s.remedy_accept(
        user=board,
        report=water,
        work="Replace the burnt-out heating element and the thermostat of the wash-room "
        "boiler; flush the boiler.",
        materials=[
            MaterialLine("heating-element-6kw", Decimal("1"), "piece"),
            MaterialLine("thermostat", Decimal("1"), "piece"),
        ],
        labour_hours=Decimal("6"),
        cost=Decimal("410.00"),
        due_on=(now - 35 * day).date(),
        now=now - 40 * day,
    )
    s.remedy_done(
        user=board, report=water, note="Element and thermostat replaced.", now=now - 36 * day
    )
    s.report_fixed(user=anna.user, report=water, fixed=True, now=now - 35 * day)

    # Remedy promised, with materials that become plan floors: the Forge's ventilation.
    air = s.report_submit(
        user=anna.user,
        body=forge,
        location="Drop hammers 3 and 4",
        hazard="foul_air",
        severity=3,
        people_affected=24,
        title="Extractor over hammers 3 and 4 broken: smoke and scale dust",
        description="The extractor fan over hammers 3 and 4 stopped in the spring. By the "
        "end of a shift the air is blue with smoke; three of us have had coughs for weeks.",
        photos=[_photo(2, "smoke", "Hammers 3 and 4"), _photo(3, "smoke", "Extractor hood")],
        now=now - 25 * day,
    )
    air = _confirm(air, forge_mates[2:4], now - 24 * day)
    s.remedy_accept(
        user=board,
        report=air,
        work="Replace the extractor fan and 12 m of its duct; add a second hood over hammer 4. "
        "The Repair shop does it over two weekend shifts.",
        materials=[
            MaterialLine("fan-axial-630", Decimal("2"), "piece"),
            MaterialLine("duct-steel-400", Decimal("12.5"), "m"),
            MaterialLine("sheet-steel-2mm", Decimal("0.35"), "t"),
        ],
        labour_hours=Decimal("96"),
        cost=Decimal("8350.00"),
        due_on=(now + 12 * day).date(),
        now=now - 12 * day,
    )

    # Remedy promised and past its date: the Foundry's lighting.
    foundry_reporter = _co_workers(foundry, [], 1)
    foundry_mates = _co_workers(foundry, foundry_reporter, 3)
    if foundry_reporter:
        light = s.report_submit(
            user=foundry_reporter[0].user,
            body=foundry,
            location="Moulding floor, east bay",
            hazard="lighting",
            severity=2,
            people_affected=40,
            title="Half the lamps over the moulding floor are out",
            description="Eleven of the twenty lamps in the east bay are dead. We pour by "
            "the light of the furnace mouth.",
            photos=[_photo(4, "dark", "East bay")],
            now=now - 30 * day,
        )
        light = _confirm(light, foundry_mates, now - 29 * day)
        s.remedy_accept(
            user=board,
            report=light,
            work="Replace the eleven lamps and the damaged cable run in the east bay.",
            materials=[
                MaterialLine("lamp-led-150w", Decimal("11"), "piece"),
                MaterialLine("cable-3x2.5", Decimal("60"), "m"),
            ],
            labour_hours=Decimal("14"),
            cost=Decimal("1980.00"),
            due_on=(now - 6 * day).date(),
            now=now - 20 * day,
        )

    # Confirmed and overdue: no answer within the deadline.
    hammers = s.report_submit(
        user=forge_mates[0].user if forge_mates else anna.user,
        body=forge,
        location="Steam hammer 1",
        hazard="noise",
        severity=3,
        people_affected=16,
        title="Steam hammer 1: noise above 110 dB, ear defenders worn out",
        description="The ear defenders issued last year are split and there are no spares. "
        "Several of us cannot hear the shift bell any more.",
        now=now - 21 * day,
    )
    _confirm(hammers, [anna, *forge_mates[4:6]], now - 20 * day)

    # Escalated twice: the Assembly hall's roof, beyond the works' and then the union's
    # means; now with the congress's board, and overdue there (the sweep cannot move it
    # higher, so it stays listed as overdue).
    assembly_people = _co_workers(assembly, [], 4)
    if assembly_people:
        roof = s.report_submit(
            user=assembly_people[0].user,
            body=assembly,
            location="Line 2, bays 6 to 9",
            hazard="dampness",
            severity=3,
            people_affected=60,
            title="The roof leaks over assembly line 2",
            description="Rain comes through the roof over bays 6 to 9; the floor is wet, "
            "there is mould on the walls, and water drips on the electrical cabinets.",
            photos=[_photo(5, "roof", "Bay 7"), _photo(6, "damp", "Wall by bay 9")],
            now=now - 40 * day,
        )
        roof = _confirm(roof, assembly_people[1:3], now - 39 * day)
        roof = s.report_escalate(
            user=board,
            report=roof,
            reason="The roof needs new trusses and 1,400 m² of roofing: beyond the works' "
            "repair fund. We ask the union for materials and a roofing brigade.",
            now=now - 38 * day,
        )
        if roof.responsible.parent_id is not None:
            s.report_escalate(
                user=_board_user(roof.responsible),
                report=roof,
                reason="The union's roofing brigade is booked until spring; the steel for "
                "the trusses is in the federation's plan, not ours.",
                now=now - 30 * day,
            )

    # A dwelling kept by Sormovo (when the housing register has one): damp and mould,
    # confirmed, so the housing need score counts it.
    from collegium.housing.models import Dwelling

    flat = Dwelling.objects.filter(body=sormovo).order_by("code").first()
    if flat is not None:
        damp = s.report_submit(
            user=anna.user,
            dwelling=flat,
            location="Bedroom and kitchen, north wall",
            hazard="dampness",
            severity=2,
            people_affected=4,
            title="Damp and black mould on the north wall",
            description="Since the autumn rains the north wall is wet to the touch; black "
            "mould behind the beds and in the kitchen. The children cough at night.",
            photos=[_photo(8, "damp", "North wall")],
            now=now - 9 * day,
        )
        _confirm(damp, _co_workers(forge, [anna], 2), now - 8 * day)

    # Awaiting confirmation: Anna's report of yesterday.
    s.report_submit(
        user=anna.user,
        body=forge,
        location="Annealing furnace 2",
        hazard="gases",
        severity=4,
        people_affected=9,
        title="Gas smell at annealing furnace 2",
        description="Since Monday there is a smell of gas near the burner of furnace 2, "
        "strongest at the start of the shift. Nobody has checked the line.",
        photos=[_photo(7, "smoke", "Furnace 2")],
        now=now - 1 * day,
    )
