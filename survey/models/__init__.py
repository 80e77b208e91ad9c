"""Typed SQLAlchemy models; import from here."""

from survey.models.api_token import ApiScope, ApiToken
from survey.models.base import Base
from survey.models.business import BusinessKind, IdType, Population
from survey.models.enterprise import Enterprise, Ownership
from survey.models.export_job import ExportJob, JobState
from survey.models.framework import FrameworkVersion
from survey.models.instrument_draft import InstrumentDraft
from survey.models.mailing import MailMessage, MailOptOut, MailOut, MailPurpose, MailStatus, MailTemplate
from survey.models.module import ModuleAnswer, ModuleVersion, ResponseModule, WaveModule
from survey.models.reference import AdminUnit, EconomicPillar, ReferenceFigure, Sector, UnitKind
from survey.models.rescore import RescoreRun
from survey.models.response import Response, ResponsePillarScore, ResponseState, ReviewState
from survey.models.review import Invitation, ResponseNote
from survey.models.size_class import SizeClass, SizeGroup
from survey.models.staff import AuditEvent, Role, StaffUser
from survey.models.support import SupportProgramme
from survey.models.task import Task, TaskKind
from survey.models.wave import Wave, WaveState

__all__ = [
    "AdminUnit",
    "ApiScope",
    "ApiToken",
    "AuditEvent",
    "Base",
    "BusinessKind",
    "EconomicPillar",
    "Enterprise",
    "ExportJob",
    "FrameworkVersion",
    "IdType",
    "InstrumentDraft",
    "Invitation",
    "JobState",
    "MailMessage",
    "MailOptOut",
    "MailOut",
    "MailPurpose",
    "MailStatus",
    "MailTemplate",
    "ModuleAnswer",
    "ModuleVersion",
    "Ownership",
    "Population",
    "ReferenceFigure",
    "RescoreRun",
    "Response",
    "ResponseModule",
    "ResponseNote",
    "ResponsePillarScore",
    "ResponseState",
    "ReviewState",
    "Role",
    "Sector",
    "SizeClass",
    "SizeGroup",
    "StaffUser",
    "SupportProgramme",
    "Task",
    "TaskKind",
    "UnitKind",
    "Wave",
    "WaveModule",
    "WaveState",
]
