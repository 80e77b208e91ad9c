"""Typed SQLAlchemy models; import from here."""

from survey.models.base import Base
from survey.models.business import BusinessKind, IdType, Population
from survey.models.enterprise import Enterprise, Ownership
from survey.models.export_job import ExportJob, JobState
from survey.models.framework import FrameworkVersion
from survey.models.reference import AdminUnit, EconomicPillar, ReferenceFigure, Sector, UnitKind
from survey.models.rescore import RescoreRun
from survey.models.response import Response, ResponsePillarScore, ResponseState, ReviewState
from survey.models.review import Invitation, ResponseNote
from survey.models.size_class import SizeClass, SizeGroup
from survey.models.staff import AuditEvent, Role, StaffUser
from survey.models.wave import Wave, WaveState

__all__ = [
    "AdminUnit",
    "AuditEvent",
    "Base",
    "BusinessKind",
    "EconomicPillar",
    "Enterprise",
    "ExportJob",
    "FrameworkVersion",
    "IdType",
    "Invitation",
    "JobState",
    "Ownership",
    "Population",
    "ReferenceFigure",
    "RescoreRun",
    "Response",
    "ResponseNote",
    "ResponsePillarScore",
    "ResponseState",
    "ReviewState",
    "Role",
    "Sector",
    "SizeClass",
    "SizeGroup",
    "StaffUser",
    "UnitKind",
    "Wave",
    "WaveState",
]
