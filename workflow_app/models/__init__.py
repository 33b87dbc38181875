"""Tables. No request handling, no commits, no serialisation here."""

from .audit import AuditEvent
from .definition import ProcessFile, ProcessVersion
from .instance import PendingTimer, ProcessInstance
from .notes import TaskAttachment, TaskComment
from .org import Household, OrgUnit, Role
from .people import ApiToken, LoginAttempt, RoleAssignment, User
from .task import HumanTask

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Household",
    "HumanTask",
    "LoginAttempt",
    "OrgUnit",
    "PendingTimer",
    "ProcessFile",
    "ProcessInstance",
    "ProcessVersion",
    "Role",
    "RoleAssignment",
    "TaskAttachment",
    "TaskComment",
    "User",
]
