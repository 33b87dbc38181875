"""Tables. No request handling, no commits, no serialisation here."""

from .audit import AuditEvent
from .catalogue import CatalogueCondition, CatalogueOverride, CatalogueVersion, EventCase
from .definition import ProcessFile, ProcessVersion
from .instance import EventSubscription, InboundEvent, PendingTimer, ProcessInstance
from .notes import TaskAttachment, TaskComment
from .ops import RetainedCase, SchedulerHeartbeat
from .org import Household, OrgUnit, Role
from .people import ApiToken, LoginAttempt, RoleAssignment, User
from .sla import CalendarDay, CalendarSetting, CaseFact, Notification, StartSchedule
from .task import HumanTask
from .visibility import VisibilityGrant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CalendarDay",
    "CalendarSetting",
    "CaseFact",
    "CatalogueCondition",
    "CatalogueOverride",
    "CatalogueVersion",
    "EventCase",
    "EventSubscription",
    "Household",
    "HumanTask",
    "InboundEvent",
    "LoginAttempt",
    "Notification",
    "OrgUnit",
    "PendingTimer",
    "ProcessFile",
    "ProcessInstance",
    "ProcessVersion",
    "RetainedCase",
    "Role",
    "RoleAssignment",
    "SchedulerHeartbeat",
    "StartSchedule",
    "TaskAttachment",
    "TaskComment",
    "User",
    "VisibilityGrant",
]
