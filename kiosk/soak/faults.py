"""The soak's fault schedule: `--faults SPEC`.

SPEC is `all` (the default), `none`, or a comma-separated list of `NAME@FRACTION`
(the fraction of the run at which the fault starts, 0 < FRACTION < 1), e.g.
`paper@0.2,cover@0.4,reader@0.5,keypad@0.6,server@0.7,kiosk@0.8`. A NAME without
`@` gets its default moment.
"""

from __future__ import annotations

from dataclasses import dataclass

# name -> (default moment, what happens)
FAULTS: dict[str, tuple[float, str]] = {
    "paper": (0.15, "kiosk 1's printer runs out of paper, refilled later"),
    "cover": (0.3, "the last kiosk's printer cover opens, closed later"),
    "reader": (0.4, "kiosk 1's ID card reader unplugged, plugged back later"),
    "keypad": (0.5, "a keypad goes silent for a while; another sends one corrupted frame"),
    "server": (0.6, "the hall server killed with SIGKILL, restarted on the same db and port"),
    "kiosk": (0.75, "the last kiosk killed with SIGKILL, restarted on the same data dir"),
}


class FaultSpecError(ValueError):
    """A --faults value that cannot be used; the message says why."""


@dataclass(frozen=True)
class Fault:
    name: str
    at: float  # fraction of the run

    def describe(self) -> str:
        return FAULTS[self.name][1]


def parse_faults(spec: str) -> list[Fault]:
    """The faults of `spec`, in the order they happen."""
    text = spec.strip().lower()
    if text in ("", "none"):
        return []
    if text == "all":
        return sorted((Fault(name, at) for name, (at, _) in FAULTS.items()), key=_moment)
    faults: list[Fault] = []
    for part in text.split(","):
        name, _, moment = part.strip().partition("@")
        if name not in FAULTS:
            raise FaultSpecError(f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
        if any(fault.name == name for fault in faults):
            raise FaultSpecError(f"fault {name!r} given twice")
        if moment:
            try:
                at = float(moment)
            except ValueError:
                raise FaultSpecError(f"{part.strip()!r}: {moment!r} is not a number") from None
            if not 0 < at < 1:
                raise FaultSpecError(f"{part.strip()!r}: the moment is a fraction between 0 and 1")
        else:
            at = FAULTS[name][0]
        faults.append(Fault(name, at))
    return sorted(faults, key=_moment)


def _moment(fault: Fault) -> float:
    return fault.at
