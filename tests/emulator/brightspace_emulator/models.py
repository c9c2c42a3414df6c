# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pydantic models for every JSON block the emulator reads or writes.

Request blocks are strict: ``extra="forbid"`` (unknown field -> 400), every field required
unless the reference marks it optional, strict types (a D2LID ``<number>`` must be a JSON
number, a ``<string>`` a JSON string, a ``<boolean>`` a JSON boolean) and ``UTCDateTime``
must be ISO 8601 UTC with milliseconds (``2026-01-31T23:59:59.000Z``).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Dict, Generic, List, Literal, Optional, TypeVar, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt,
                      StrictStr, model_validator)

# NOTE: evidence: NOTES.md defines UTCDateTime as "ISO 8601 UTC with milliseconds"; the emulator
# takes the strictest reading and demands exactly that shape (3 fraction digits, trailing Z) so
# a client that sends a naive or offset date, or drops the milliseconds, fails here rather than
# on a real tenant.
_UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _check_utc(value: str) -> str:
    if not _UTC_RE.match(value):
        raise ValueError("must be a UTCDateTime like 2026-01-31T23:59:59.000Z")
    try:
        dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError as exc:
        raise ValueError(f"is not a valid date: {exc}") from None
    return value


UTCDateTime = Annotated[StrictStr, AfterValidator(_check_utc)]


def parse_utc(value: Optional[str]) -> Optional[dt.datetime]:
    if value is None:
        return None
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def format_utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{value.microsecond // 1000:03d}Z"


# NOTE: evidence: NOTES.md says D2LIDs carried as strings ("Identifier": "6606") may also come
# as numbers ("accept both, compare as integers"); only string-typed D2LID fields accept both.
# Number-typed D2LIDs in Create blocks stay strict numbers (the strictest reading).
def _check_d2lid_str(value: Union[str, int]) -> Union[str, int]:
    if isinstance(value, str) and not value.isdigit():
        raise ValueError("must be a D2LID (digits)")
    return value


D2LIDStr = Annotated[Union[StrictStr, StrictInt], AfterValidator(_check_d2lid_str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    """Response blocks (not validated strictly; they are built by the emulator)."""
    model_config = ConfigDict(extra="forbid")


# --- Versions / users -------------------------------------------------------------------------
class ProductVersions(Out):
    ProductCode: str
    LatestVersion: str
    SupportedVersions: List[str]


class WhoAmIUser(Out):
    Identifier: str
    FirstName: str
    LastName: str
    UniqueName: str
    ProfileIdentifier: str


# --- Org structure ----------------------------------------------------------------------------
class OrgUnitTypeInfo(Out):
    Id: int
    Code: str
    Name: str


class OrgUnitTypePermissions(Out):
    CanCreate: bool
    CanDelete: bool
    CanEdit: bool


class OrgUnitType(Out):
    Id: int
    Code: str
    Name: str
    Description: str
    SortOrder: int
    Permissions: OrgUnitTypePermissions


class OrgUnit(Out):
    Identifier: str
    Name: str
    Code: str
    Type: OrgUnitTypeInfo


class OrgUnitProperties(Out):
    Identifier: str
    Name: str
    Code: str
    Path: str
    Type: OrgUnitTypeInfo


class OrgUnitTypeInfoIn(Strict):
    Id: StrictInt
    Code: StrictStr
    Name: StrictStr


class OrgUnitPropertiesIn(Strict):
    """PUT /orgstructure/(orgUnitId) body (supporting route)."""
    Identifier: D2LIDStr
    Name: StrictStr
    Code: StrictStr
    Path: StrictStr
    Type: OrgUnitTypeInfoIn


class OrgUnitCreateData(Strict):
    Type: StrictInt
    Name: StrictStr
    Code: StrictStr
    Parents: List[StrictInt]


class PagingInfo(Out):
    Bookmark: str
    HasMoreItems: bool


T = TypeVar("T")


class PagedResultSet(Out, Generic[T]):
    PagingInfo: PagingInfo
    Items: List[T]


# --- Courses ----------------------------------------------------------------------------------
class BasicOrgUnit(Out):
    Identifier: str
    Name: str
    Code: str


# NOTE: evidence for the newer course fields (the reference page, courses.txt, is the
# September 2014 text and has none of them): D2L's reference as quoted on D2L's community site
# (community.d2l.com/brightspace/discussion/340) gives Course.CreateCourseOffering
# '"Description": { <composite:RichTextInput> }, // Added with LP API v1.26' and
# '"CanSelfRegister": <boolean>|null // Added with LP API v1.28'; a Brightspace client that
# mirrors the reference (HR.BrightspaceConnector, Features/Courses/CourseOfferingInfo.cs) gives
# Course.CourseOfferingInfo 'Description' (RichTextInput, "Added with LP API v1.26") and
# 'CanSelfRegister' ("Null is treated as false", "not supported on versions prior to v1.27.
# Added with LP API v1.27"); another (BsMain, Data/CourseOffering.php) gives Course.CourseOffering
# '"Description": { <composite:RichText> }, // Added with LP API v1.26' and
# '"CanSelfRegister": <boolean> // Added with LP API v1.27', and a GET answer shown on the
# community site carries 'Description': {'Html': '', 'Text': ''}. So: accepted (and answered)
# from those versions, refused as unknown fields before them (routes/courses.py). They stay
# optional: the reference page's blocks are complete without them. No evidence was found of a
# Description in the course template blocks: they take none (an unknown field, 400).
LP_FIELD_SINCE = {
    "CreateCourseOffering": {"Description": "1.26", "CanSelfRegister": "1.28"},
    "CourseOfferingInfo": {"Description": "1.26", "CanSelfRegister": "1.27"},
    "CourseOffering": {"Description": "1.26", "CanSelfRegister": "1.27"},
}


class RichTextInput(Strict):
    """RichTextInput: ``{"Content": <string>, "Type": "Text"|"Html"}``."""
    Content: StrictStr
    Type: Literal["Text", "Html"]


class RichText(Out):
    """RichText (the fetch form): ``{"Text": <string>, "Html": <string>}``."""
    Text: str
    Html: str


class CourseOffering(Out):
    Identifier: str
    Name: str
    Code: str
    IsActive: bool
    Path: str
    StartDate: Optional[str]
    EndDate: Optional[str]
    CourseTemplate: Optional[BasicOrgUnit]
    Semester: Optional[BasicOrgUnit]
    Department: Optional[BasicOrgUnit]
    # only in the answers of the LP versions that have them (LP_FIELD_SINCE; the routes answer
    # with response_model_exclude_unset)
    Description: Optional[RichText] = None
    CanSelfRegister: Optional[bool] = None


class CourseOfferingInfo(Strict):
    Name: StrictStr
    Code: StrictStr
    StartDate: Optional[UTCDateTime]
    EndDate: Optional[UTCDateTime]
    IsActive: StrictBool
    # from LP 1.26 / 1.27 (LP_FIELD_SINCE); optional; Description is no null
    Description: RichTextInput = None
    CanSelfRegister: Optional[StrictBool] = None


class CreateCourseOffering(Strict):
    Name: StrictStr
    Code: StrictStr
    Path: StrictStr
    CourseTemplateId: StrictInt
    SemesterId: Optional[StrictInt]
    StartDate: Optional[UTCDateTime]
    EndDate: Optional[UTCDateTime]
    LocaleId: Optional[StrictInt]
    ForceLocale: StrictBool
    ShowAddressBook: StrictBool
    # from LP 1.26 / 1.28 (LP_FIELD_SINCE); optional; Description is no null
    Description: RichTextInput = None
    CanSelfRegister: Optional[StrictBool] = None


class CourseTemplate(Out):
    Identifier: str
    Code: str
    Name: str
    Path: str


class CourseTemplateInfo(Strict):
    Name: StrictStr
    Code: StrictStr


class CreateCourseTemplate(Strict):
    Name: StrictStr
    Code: StrictStr
    Path: StrictStr
    ParentOrgUnitIds: List[StrictInt]


class SchemaElement(Out):
    Type: OrgUnitTypeInfo
    IsNotAllowed: bool
    IsRequired: bool


# --- Course copy and import jobs (le) ---------------------------------------------------------
class CreateCopyJobRequest(Strict):
    """Course.CreateCopyJobRequest: Components/CallbackUrl may be missing or null."""
    SourceOrgUnitId: StrictInt
    Components: Optional[List[StrictStr]] = None
    CallbackUrl: Optional[StrictStr] = None


class CreateCopyJobResponse(Out):
    JobToken: str


class GetCopyJobResponse(Out):
    Status: str


class CopyJobComplete(Out):
    JobToken: str
    SourceOrgUnitId: int
    TargetOrgUnitId: int
    Status: str


class CreateImportJobResponse(Out):
    JobToken: str


class GetImportJobResponse(Out):
    JobToken: str
    TargetOrgUnitId: int
    Status: str


# --- ePortfolio (eP) -------------------------------------------------------------------------
# NOTE: no evidence: GeoTag is null in every example of the reference and its shape is not
# published; the emulator accepts null or a string and echoes it back (anything else, e.g. an
# object, is refused: the strictest reading).
class UrlArtifactIn(Strict):
    """EP.UrlArtifact create/update form (every key required; ObjectId 0 creates)."""
    ObjectId: StrictInt
    Name: StrictStr
    Description: StrictStr
    AllowComments: StrictBool
    GeoTag: Optional[StrictStr]
    Url: StrictStr


class FileArtifactIn(Strict):
    """EP.FileArtifact create/update form (every key required; ObjectId 0 creates)."""
    ObjectId: StrictInt
    Name: StrictStr
    Description: StrictStr
    AllowComments: StrictBool
    GeoTag: Optional[StrictStr]
    FileSize: StrictInt
    FileName: StrictStr
    Extension: StrictStr
    UploadKey: StrictStr


class EpPermissions(Out):
    CanEdit: bool
    CanDelete: bool
    CanComment: bool


class EpComment(Out):
    """EP.Comment."""
    ObjectId: int
    CommentId: int
    UserId: int
    CreatedDate: str
    Body: str


class EpObject(Out):
    """EP.EpObject fetch form (reconstructed, NOTES.md)."""
    ObjectId: int
    Name: str
    Description: str
    AllowComments: bool
    UserId: int
    ObjectTypeId: int
    ViewLink: str
    CommentsCount: int
    HasUnreadComments: bool
    Created: str
    Modified: str
    GeoTag: Optional[str]
    Tags: List[dict]
    Comments: List[EpComment]
    Permissions: EpPermissions


class FileArtifact(EpObject):
    FileSize: int
    FileName: str
    Extension: str
    UploadKey: str


class UrlArtifact(EpObject):
    Url: str


AnyEpObject = Union[FileArtifact, UrlArtifact, EpObject]


class EpObjectPage(Out):
    """PagedResultSet of EpObject fetch forms (GET objects/my/)."""
    PagingInfo: PagingInfo
    Items: List[AnyEpObject]


class EpImportJobResponse(Out):
    """EP.EpImportJobResponse."""
    ImportJobResultType: str
    SuccessfulJobIds: List[int]
    FailedUserIds: List[int]
    ErrorMessages: List[str]


# --- Learning Repository (lr) -----------------------------------------------------------------
class LRWSBaseResult(Out):
    """Every LR answer carries these two; a failed action answers 200 with only them."""
    ExecutionMessage: str
    ExecutionStatus: int  # LR_EXEC_STATUS_T: OK 0, WARN 1, ERROR 2


class LRWSObjectProperties(LRWSBaseResult):
    RepositoryId: int
    Status: int
    HiddenFromSearchResults: bool
    PublicallyAvailable: bool
    IdentId: int
    Version: int
    URL: str
    Title: str
    Description: str
    OwnerId: int
    Keywords: List[str]
    Type: int


class LRWSObjectPropertiesInput(Strict):
    """POST objects/(id)/[(v)/]properties/ body: every key required, strict types."""
    RepositoryId: StrictInt
    Status: StrictInt
    HiddenFromSearchResults: StrictBool
    PublicallyAvailable: StrictBool
    OwnerId: StrictInt
    Title: StrictStr
    Description: StrictStr
    Keywords: List[StrictStr]


class LRWSObjectLink(LRWSBaseResult):
    URL: str


class LRWSPublishResult(LRWSBaseResult):
    IdentId: int
    Version: int


class LRWSSearchResult(Out):
    RepositoryId: int
    IdentId: int
    Version: int
    URL: str
    Title: str
    OrgId: int
    TypeId: int


class LRWSSearchResultCollection(LRWSBaseResult):
    TotalResults: int
    Results: List[LRWSSearchResult]


class LRWSRepository(Out):
    RepositoryId: int
    Name: str
    Description: str
    Type: str
    OrgId: int
    ObjectCount: int


class LRWSRepositoryCollection(LRWSBaseResult):
    Repositories: List[LRWSRepository]


class LRWSTrust(Out):
    CanViewItems: bool
    CanSeeDetails: bool
    CanLinkToLor: bool
    CanRetrieve: bool
    CanManageAllItems: bool
    CanManageMyItems: bool
    CanSeeEventLog: bool
    CanViewFiles: bool
    CanAddReviews: bool
    CanDeleteReviews: bool
    CanManageReviews: bool
    CanClassify: bool
    CanSeeAllHiddenObjects: bool
    CanPublish: bool
    CanPublishOffline: bool
    CanSearch: bool
    CanVersionMyItems: bool
    CanViewMetadata: bool
    CanEditMetadata: bool
    CanManageRepositories: bool


class LRWSTrustCollection(LRWSBaseResult):
    RepositoryTrusts: dict[str, dict[str, LRWSTrust]]


# --- Errors -----------------------------------------------------------------------------------
class ProblemDetails(Out):
    type: str
    status: int
    title: str
    detail: str
    instance: str


class ErrorMessage(Out):
    Message: str


class ErrorsBody(Out):
    Errors: List[ErrorMessage]


# --- OAuth ------------------------------------------------------------------------------------
class TokenResponse(Out):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: Optional[str] = None
    scope: str


class OAuthError(Out):
    error: str
    error_description: str = ""


# --- Control API ------------------------------------------------------------------------------
class LrExecutionFault(Strict):
    """``lr_execution`` of a fault rule: the next matching Learning Repository request answers
    200 with this ExecutionStatus (1 WARN: the work is done; 2 ERROR: it is not) and
    ExecutionMessage."""
    status: Literal[1, 2]
    message: StrictStr = ""


class FaultRule(Strict):
    method: Optional[StrictStr] = None
    path: StrictStr = ".*"
    times: StrictInt = Field(default=1, ge=1)
    status: Optional[StrictInt] = None
    headers: dict[str, StrictStr] = Field(default_factory=dict)
    body: Optional[StrictStr] = None
    delay: Union[StrictInt, float] = 0.0
    delay_response: Union[StrictInt, float] = 0.0
    drop: StrictBool = False
    drop_after_bytes: Optional[StrictInt] = Field(default=None, ge=0)
    drop_response_after_bytes: Optional[StrictInt] = Field(default=None, ge=0)
    stall_response_after_bytes: Optional[StrictInt] = Field(default=None, ge=0)
    stall: Union[StrictInt, float] = Field(default=0.0, ge=0)
    job_outcome: Optional[StrictStr] = None
    lr_execution: Optional[LrExecutionFault] = None


class ConfigUpdate(Strict):
    job_duration: Optional[Union[StrictInt, float]] = None
    token_lifetime: Optional[StrictInt] = None
    rate_limit: Optional[StrictInt] = None
    rate_window: Optional[Union[StrictInt, float]] = None
    clock_offset: Optional[Union[StrictInt, float]] = None
    upload_ttl: Optional[Union[StrictInt, float]] = None
    artifact_update_replaces_content: Optional[StrictBool] = None
    import_routes: Optional[Literal["both", "unstable", "versioned"]] = None
    recycled_codes: Optional[Literal["reserved", "free"]] = None


class EpCommentRequest(Strict):
    """POST /_emulator/eportfolio/objects/{id}/comments."""
    user: StrictStr
    body: StrictStr


class MintTokenRequest(Strict):
    scope: StrictStr = "core:*:*"
    lifetime: Optional[Union[StrictInt, float]] = 3600
    client_id: StrictStr = "demo-client"
    user: StrictStr = "3"  # the LMS user the token acts as (a seeded user id)


# RFC 7518 §6.3.2: the private members of an RSA JWK.
JWK_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


class RsaPublicJwk(Strict):
    """An RSA public key as a JWK (RFC 7517, RFC 7518 §6.3.1) for RS256 signatures.
    NOTE: no evidence: the reference is silent on what a Brightspace service client's JWKS may
    hold; the emulator takes RSA public keys only (RS256 is the only assertion algorithm it accepts),
    members kty, kid, n, e and the optional use ("sig"), alg ("RS256") and key_ops
    (["verify"], RFC 7517 §4.3); private members and any other member are refused."""
    kty: Literal["RSA"]
    kid: StrictStr = Field(min_length=1)
    n: StrictStr = Field(min_length=1)
    e: StrictStr = Field(min_length=1)
    use: Optional[Literal["sig"]] = None
    alg: Optional[Literal["RS256"]] = None
    key_ops: Optional[List[Literal["verify"]]] = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _public_only(cls, value):
        if isinstance(value, dict):
            private = [m for m in JWK_PRIVATE_MEMBERS if m in value]
            if private:
                raise ValueError(f"private key member(s) {', '.join(private)} refused: register "
                                 "the public key only")
        return value


class Jwks(Strict):
    keys: List[RsaPublicJwk] = Field(min_length=1)


class ServiceClientRequest(Strict):
    """POST /_emulator/service-clients: register (or replace) an OAuth 2.0 service client."""
    client_id: StrictStr
    jwks: Jwks
    scope: StrictStr
    user: StrictStr = "3"  # the LMS user its tokens act as


class LrBulkRequest(Strict):
    """POST /_emulator/lr/objects/bulk."""
    repository: StrictInt = 1
    count: StrictInt = Field(ge=1, le=10000)
    title_prefix: StrictStr = "Bulk object"


class RoleUpdate(Strict):
    """PUT /_emulator/roles/{roleId}: set some of a role's permissions (permissions.py names;
    the others stay as they are), or create the role (every permission not given is false)."""
    name: Optional[StrictStr] = None
    permissions: Dict[StrictStr, StrictBool] = Field(default_factory=dict)


class UserRoleUpdate(Strict):
    """PUT /_emulator/users/{userId}: give the user a role (a role id of GET /_emulator/roles)."""
    role: StrictInt


class LrTrustUpdate(Strict):
    """PUT /_emulator/lr/trusts/{repositoryId}/{orgUnitId}/{roleId}: set some LR_TRUST_T
    trusts of a role in a repository and org unit (the others stay as they are)."""
    trusts: Dict[StrictStr, StrictBool]
