"""Tables. No request handling, no commits, no serialisation here."""

from .audit import AuditEvent
from .catalogue import CatalogueCondition, CatalogueOverride, CatalogueVersion, EventCase
from .definition import ProcessFile, ProcessVersion
from .draft import ProcessDraft, ProcessDraftFile
from .evaluation import (
    EvaluationRound,
    EvaluationSetting,
    Honour,
    PointsAccount,
    PointsCursor,
    PointsEntry,
    RoundSample,
    RoundSurvey,
)
from .field import CaseFile, SavedFilter, StartRequest
from .instance import EventSubscription, InboundEvent, PendingTimer, ProcessInstance
from .notes import TaskAttachment, TaskComment
from .ops import RetainedCase, SchedulerHeartbeat
from .org import Household, OrgUnit, Role
from .people import ApiToken, LoginAttempt, RoleAssignment, User
from .sla import CalendarDay, CalendarSetting, CaseFact, Notification, StartSchedule
from .supervision import SupervisionCount, SupervisionDelta, SupervisionMultitaskCase
from .task import HumanTask
from .visibility import VisibilityGrant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CalendarDay",
    "CalendarSetting",
    "CaseFile",
    "CaseFact",
    "CatalogueCondition",
    "CatalogueOverride",
    "CatalogueVersion",
    "EvaluationRound",
    "EvaluationSetting",
    "EventCase",
    "EventSubscription",
    "Honour",
    "Household",
    "HumanTask",
    "InboundEvent",
    "LoginAttempt",
    "Notification",
    "OrgUnit",
    "PendingTimer",
    "PointsAccount",
    "PointsCursor",
    "PointsEntry",
    "ProcessDraft",
    "ProcessDraftFile",
    "ProcessFile",
    "ProcessInstance",
    "ProcessVersion",
    "RetainedCase",
    "Role",
    "RoleAssignment",
    "RoundSample",
    "RoundSurvey",
    "SavedFilter",
    "SchedulerHeartbeat",
    "StartRequest",
    "StartSchedule",
    "SupervisionCount",
    "SupervisionDelta",
    "SupervisionMultitaskCase",
    "TaskAttachment",
    "TaskComment",
    "User",
    "VisibilityGrant",
]
