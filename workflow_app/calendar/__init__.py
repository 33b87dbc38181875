"""Working-calendar arithmetic for time limits: working hours, working days and natural time.

See ``workflow_app.calendar.arithmetic`` for the rules.
"""

from workflow_app.calendar.arithmetic import UNITS, WorkCalendar, parse_periods

__all__ = ["UNITS", "WorkCalendar", "parse_periods"]
