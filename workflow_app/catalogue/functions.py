"""The catalogue's script functions: filing conditions as they apply in the case's locality,
the departments with a duty, and possible duplicates of a report."""

from . import conditions, events

MAX_DAYS = 366


def _days(value) -> int:
    days = int(value)
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 0 and {MAX_DAYS}")
    return days


def provide(registry) -> None:
    registry.provide("catalogue", lambda ref: lambda code: conditions.lookup(str(code)[:64], ref))
    registry.provide("departments_for", lambda ref: lambda duty: conditions.departments_for(str(duty)[:64], ref))
    registry.provide("similar_cases", lambda ref: lambda subcategory_code, address=None, location=None, days=7:
                     events.similar(str(subcategory_code)[:64], ref, (str(address)[:300] if address else None),
                                    location, _days(days)))
