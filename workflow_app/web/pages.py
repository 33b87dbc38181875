"""Labels pages show for platform values (calendar units)."""

from ..calendar.arithmetic import UNITS

UNIT_LABELS = {"emergency_hours": ("紧急工作时", "emergency hours"), "work_hours": ("工作时", "working hours"),
               "work_days": ("工作日", "working days"), "days": ("自然日", "days")}


def time_units() -> list[tuple[str, tuple[str, str]]]:
    return [(unit, UNIT_LABELS.get(unit, (unit, unit))) for unit in UNITS]
